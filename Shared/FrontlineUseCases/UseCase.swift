// Use cases: one type per thing that happens to a ticket, in a folder per concept. Each reads
// like its sentence in ARCHITECTURE.md: load what it needs through repositories, ask the
// domain what to do, write the state change and the events it causes in one transaction of
// the `UnitOfWork` the door gives it. Doors (event handlers, the CLI, the HTTP API) call use
// cases; none writes SQL of its own. A person's action names its `Actor` and is audited.
