"""The verification plan (spec/testplan.toml): checked against the spec, rendered as Markdown.

Every instruction, enum value, parameter block, token queue, register,
ERR_CAUSE bit and performance counter of spec/isa.toml and spec/regs.toml is
a coverage target; the plan must name each in the `covers` of some item.
The test references are checked against the built binaries by
scripts/testplan_check.py (they need a build).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .md import banner
from .spec import Spec, fail, load_toml

REF = re.compile(r"(?P<binary>[A-Za-z0-9_*?\[\]-]+):(?P<case>.+)")


@dataclass
class Item:
    id: str
    feature: str
    covers: list[str]
    tests: list[tuple[str, str]]  # (binary glob, case regex)
    open: str | None


def targets(spec: Spec) -> dict[str, str]:
    """Every coverage target of the spec: name -> what it is."""
    isa, regs = spec.isa, spec.regs
    t = {}
    for i in isa.instrs:
        t[f"instr:{i.name}"] = f"instruction `{i.name}`"
    for e in isa.raw["enums"]:
        for v in e["values"]:
            t[f"enum:{e['name']}.{v['name']}"] = f"`{e['name']}` value `{v['name']}`"
    for p in isa.param_blocks:
        t[f"param:{p.name}"] = f"parameter block `{p.name}`"
    for q in isa.queues:
        t[f"queue:{q.name}"] = f"token queue `{q.name}`"
    for r in regs.raw["reg"]:
        t[f"reg:{r['name']}"] = f"register `{r['name'].upper()}`"
    for f in regs.err_cause:
        t[f"err:{f['name']}"] = f"ERR_CAUSE.{f['name']}"
    for c in regs.counters:
        t[f"counter:{c.name}"] = f"counter `{c.name}`"
    return t


def load(spec: Spec) -> list[Item]:
    raw = load_toml("testplan.toml")
    known = targets(spec)
    items, ids, covered = [], set(), set()
    for n, r in enumerate(raw.get("item", [])):
        for key in ("id", "feature", "covers", "tests"):
            if key not in r:
                fail(f"testplan item {r.get('id', n)}: no `{key}`")
        if r["id"] in ids:
            fail(f"testplan item {r['id']}: id used twice")
        ids.add(r["id"])
        for c in r["covers"]:
            if c not in known:
                fail(f"testplan item {r['id']}: covers unknown spec entry {c!r}")
            covered.add(c)
        tests = []
        for ref in r["tests"]:
            m = REF.fullmatch(ref)
            if not m:
                fail(f"testplan item {r['id']}: test reference {ref!r} is not <binary>:<case regex>")
            try:
                re.compile(m.group("case"))
            except re.error as e:
                fail(f"testplan item {r['id']}: {ref!r}: bad case regex: {e}")
            tests.append((m.group("binary"), m.group("case")))
        if not tests:
            fail(f"testplan item {r['id']}: no test")
        items.append(Item(r["id"], r["feature"], r["covers"], tests, r.get("open")))
    missing = [k for k in known if k not in covered]
    if missing:
        fail("spec entries no testplan item covers: " + ", ".join(missing))
    return items


def testplan_md(spec: Spec) -> str:
    items = load(spec)
    closed = sum(i.open is None for i in items)
    out = [banner("spec/testplan.toml"), "# Verification plan", "",
           "Every feature and error cause of the ISA, the register map and the units, with the "
           "tests that verify it (`<binary>:<case regex>`; `tb_top_*` is the top-level testbench "
           "of every configuration). An item is closed when its tests verify all of it; an open "
           "item says what is not verified yet. `scripts/gen_spec.py` refuses a plan that leaves "
           "an instruction, enum value, parameter block, token queue, register, ERR_CAUSE bit or "
           "counter of the spec uncovered; CTest's `testplan_check` checks every reference "
           "against the built binaries.", "",
           f"**{closed} of {len(items)} items closed.**", "",
           "| item | feature | spec | tests | status |", "| --- | --- | --- | --- | --- |"]
    for i in items:
        spec_cell = "<br>".join(f"`{c}`" for c in i.covers) or "-"
        tests = "<br>".join(f"`{b}:{c}`".replace("|", "\\|") for b, c in i.tests)
        status = "closed" if i.open is None else f"**open**: {i.open}"
        out.append(f"| {i.id} | {i.feature} | {spec_cell} | {tests} | {status} |")
    return "\n".join(out) + "\n"
