"""The lab's DNS: zone files and a named.conf generated from the lab's address plan (zones.py)."""
