"""What authors run on their machine: the ``baladeur`` command line (the studio is in web/)."""
