"""The APIs this emulator answers, one module per WeChat API family; each contributes ``APIS``."""
