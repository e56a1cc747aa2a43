"""The diary week and the report card as they were before issue 14: the ORM reads and the
templates, kept only to check that the compiled reads and the leaner templates give the same
data and the same page (``test_compiled_reads.py``)."""
