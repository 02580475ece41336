"""One module per ``baladeur`` command or command group."""
