"""The FOI register: the shared kernel, the request register, letters, the disclosure log
and the API. This package imports nothing on purpose (see docs/architecture.md)."""
