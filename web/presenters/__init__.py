"""The view models and every public word: what pages, feeds and the editors' preview
show, worked out here so that templates and routers only lay it out.

- ``wording``: labels, short texts and sentences (statuses, kinds, event types...);
- ``views``: a commitment's story, measures and citation, a plan's groups, feed links;
- ``chart``: the timeline chart's geometry;
- ``feeds``: each feed's headings and each item's title;
- ``forms``: the editors' form labels and messages.
"""
