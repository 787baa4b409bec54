"""Reading reports, pure: bytes → text and table grids → the structured record (``nianbao.report/1``).

- extraction: ``extract`` (the one entry point), ``decode``, ``html``/``htmlgrid``/``htmlmeta``, ``pdf``/``pdfgrid``,
  ``docx``, ``doc``, ``ocr`` → ``document.ExtractedDocument``;
- parsing: ``record`` (the entry point), ``identity``, ``titles``, ``region``, ``cells``, ``tables``, ``infer``,
  ``checks``; ``form`` is the report form as data, ``report`` the record's types;
- ``merge``: a report's record from its files' records.

May import: ``common`` only. Never opens a database or the network: the archive, the write path and the
crawler call in (import-linter's layers contract, pyproject.toml).
"""
