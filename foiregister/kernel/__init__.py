"""The shared kernel: organisations, roles, access, audit and figures every app uses."""
