"""What a widget looks like outside a live notebook: the offline HTML page (html) and the static picture
for places that cannot run widgets (static_svg). Both are functions of a wire state."""
