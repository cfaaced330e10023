"""The incident record: what one incident is, how it is checked, how two versions differ.

No I/O here.  :mod:`~dashboard.data.incidents.record` holds the frozen
:class:`Incident` and its vocabularies, :mod:`~dashboard.data.incidents.check`
turns a plain dict (a form, a CSV row, a GeoJSON feature, a store row) into an
:class:`Incident` or one line per problem, and :mod:`~dashboard.data.incidents.version`
holds a version of an incident and the field diff between two.  The store
(:mod:`dashboard.store.incidents`) keeps them; every view reads them from there.
"""
