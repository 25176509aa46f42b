"""Screening engine, moderation policy and moderation commands (pure: no I/O).

Where things live:

* `normalise` — text → tokens with spans (accents, leetspeak, stretching, abbreviations);
* `lexicon` — TOML lexicons under `config/lexicons/` compiled into token lookups;
* `context` — aimed insults vs exclamations, threats (respect rules);
* `offpurpose`, `links` — ads, chains, propaganda, scams, floods, probation links;
* `model` — the optional learned layer (trained by `cassbot train`, scored in pure Python);
* `engine` — `ScreeningEngine.screen(ScreenInput) -> ScreenReport` (findings in `findings`);
* `policy` — `decide(report, standing=…, settings=…, now=…) -> Decision` (abstract effects);
* `settings` — `PolicySettings`, the `[moderation]` section and per-community `policy`;
* `labels`, `screen_cli`, `train_cli` — training data export and the two CLI subcommands.
"""
