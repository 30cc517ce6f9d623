"""caselib: load, validate and render the cases of 党建创新案例库 (engine-neutral)."""
