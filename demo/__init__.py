"""Demo data for `make run`, built from the seeds through the services. Not a production
package: nothing in foiregister, contracts or metrics imports it (import-linter enforces
this), and it is installed only to give `manage.py load_demo`."""
