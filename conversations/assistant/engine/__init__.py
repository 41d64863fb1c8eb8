"""Understanding and answering in Portuguese. `local` is the offline default engine."""
