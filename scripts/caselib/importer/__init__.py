"""Import a raw source (text, saved web page, Word file) as a case: see core.import_lines."""
