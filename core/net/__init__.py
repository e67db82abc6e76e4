"""Services several plugins share: name resolution, port names, sockets, packets, privileges."""
