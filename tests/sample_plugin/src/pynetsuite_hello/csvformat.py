"""``--output-format csv``: any command's records as CSV (a header line per record kind)."""

import csv

from pynetsuite.command import Renderer
from pynetsuite.output import record_to_dict


class CsvRenderer(Renderer):
    def __init__(self, invocation):
        super().__init__(invocation)
        self.writer = csv.writer(self.out, lineterminator="\n")
        self.header = None

    def record(self, record):
        data = record_to_dict(record)
        if not isinstance(data, dict):
            data = {"value": data}
        header = list(data)
        if header != self.header:
            self.writer.writerow(header)
            self.header = header
        self.writer.writerow(_cell(data[key]) for key in header)

    def close(self):
        self.out.flush()


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        import json

        return json.dumps(value)
    return value
