"""What authors touch: the ``baladeur`` command line and the web studio."""
