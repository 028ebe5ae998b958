"""The npu specification (spec/*.toml) and the generators that restate it."""
