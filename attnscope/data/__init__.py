"""The shared vocabulary of the package: a Section (one kind of attention with its tokens and ids) over an
AttentionSource (weights read a (layer, heads) slice at a time), and the block reader every pass uses.
Nothing here checks user input (attnscope.inputs does) or knows how a section is sent (attnscope.wire)."""
