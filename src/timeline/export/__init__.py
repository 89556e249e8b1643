"""One small module per output format, each a pure view over the same `Build`."""
