"""pytest plugin entry point (``pytest11``): fixtures, markers and options for WxCloud."""
