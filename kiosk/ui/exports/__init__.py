"""The exports screen's small view-models, one per job, each with its own state type.

- :class:`~kiosk.ui.exports.choice.ExportChoice`: what to export (no key needed to count it);
- :class:`~kiosk.ui.exports.make.ExportMaker` (:class:`~kiosk.ui.exports.make.MakeState`):
  making it in the background, with progress and Cancel;
- :class:`~kiosk.ui.exports.preview.ExportPreview`: the page preview of what was made;
- :class:`~kiosk.ui.exports.save.ExportSaver` (:class:`~kiosk.ui.exports.save.SaveState`):
  saving to a USB stick or the exports folder;
- :class:`~kiosk.ui.exports.printer.ExportPrinter`
  (:class:`~kiosk.ui.exports.printer.PrintState`): printing through CUPS and following the jobs.

:class:`kiosk.ui.exports_panel.ExportsPanel` puts them together for ``ExportsSection.qml``.
"""
