"""Pure computations over sections: pooling, the checked summary of lazy weights, head statistics. Each reads
through the section's AttentionSource a block of heads at a time, so eager and lazy inputs both work."""
