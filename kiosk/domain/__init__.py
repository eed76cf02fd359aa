"""The pure domain: campaigns, signatures, validation, routing and the signing service.

Nothing in this package imports Qt or SQLAlchemy (a test checks it). The UI, the store, sync and
the PDF packets all build on these types.
"""
