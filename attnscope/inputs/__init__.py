"""User input -> checked values: every check of an argument happens here, once, in the module named for
what it checks (convert: types, dtypes, devices and shapes; weights; tokens; words: word boundaries;
indices; vectors; limits: sizes and the lazy/eager choice; options: views, html_action, display_mode,
view options; derived: rollout and flow parameters). build.py turns the
arguments of a view into Sections. A problem raises ValueError or TypeError naming the argument, what
was received and what was expected, before anything is sent to the browser."""
