"""The console's strings, one module per feature, each a `STRINGS` table of key -> (English,
Hindi); `i18n.STRINGS` joins them with its own and refuses a key defined twice."""
