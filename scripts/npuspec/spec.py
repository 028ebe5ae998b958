"""Loads spec/*.toml, checks it, and derives the tables every generator uses.

The three files are the single source of truth of the npu:

  spec/isa.toml      units, dependency-token queues, instructions, enums,
                     parameter blocks, numerics constants
  spec/regs.toml     the register map and the performance counters
  spec/configs.toml  the named configurations and microarchitecture constants

Only the Python standard library is used (tomllib, Python >= 3.11).
"""

from __future__ import annotations

import pathlib
import sys
import tomllib
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent


def fail(msg: str) -> None:
    sys.exit(f"spec error: {msg}")


def camel(name: str) -> str:
    """lower_snake -> UpperCamel (SystemVerilog parameter style)."""
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def kconst(name: str) -> str:
    """lower_snake -> kUpperCamel (C++ constant style)."""
    return "k" + camel(name)


def load_toml(name: str) -> dict:
    with open(ROOT / "spec" / name, "rb") as f:
        return tomllib.load(f)


# ---------------------------------------------------------------------------
# ISA
# ---------------------------------------------------------------------------

@dataclass
class Queue:
    index: int
    src: int   # unit index
    dst: int
    name: str  # "<from>_to_<to>"
    doc: str


@dataclass
class Unit:
    index: int
    name: str
    doc: str
    counters: list[dict]
    in_queues: list[int] = field(default_factory=list)   # wait bit i -> queue
    out_queues: list[int] = field(default_factory=list)  # signal bit i -> queue


@dataclass
class Field:
    name: str
    lsb: int
    width: int
    doc: str
    signed: bool = False
    enum: str | None = None


@dataclass
class Instr:
    name: str
    opcode: int
    unit: int
    doc: str
    fields: list[Field]  # instruction-specific fields, by lsb


@dataclass
class ParamField:
    name: str
    type: str   # i32 or i8
    row: int    # first row in the block
    rows: int   # 4 (i32) or 1 (i8)
    doc: str
    min: int | None  # range the hardware checks on every lane (i8 fields), or None
    max: int | None


@dataclass
class ParamBlock:
    name: str
    doc: str
    fields: list[ParamField]
    rows: int


class Isa:
    def __init__(self, raw: dict):
        self.raw = raw
        self.instr_bits = raw["isa"]["instr_bits"]
        self.version = raw["isa"]["version"]
        self.units = [Unit(i, u["name"], u["doc"], u.get("counters", []))
                      for i, u in enumerate(raw["units"])]
        self.unit_index = {u.name: u.index for u in self.units}
        self.queues = []
        for i, q in enumerate(raw["queues"]):
            for end in ("from", "to"):
                if q[end] not in self.unit_index:
                    fail(f"queue {i}: unknown unit {q[end]!r}")
            src, dst = self.unit_index[q["from"]], self.unit_index[q["to"]]
            if src == dst:
                fail(f"queue {i}: a unit cannot signal itself")
            qq = Queue(i, src, dst, f"{q['from']}_to_{q['to']}", q["doc"])
            if any(o.name == qq.name for o in self.queues):
                fail(f"queue {qq.name} listed twice")
            self.queues.append(qq)
            self.units[dst].in_queues.append(i)
            self.units[src].out_queues.append(i)
        self.common = [Field(f["name"], f["lsb"], f["width"], f["doc"]) for f in raw["common"]]
        names = [f.name for f in self.common]
        if names != ["opcode", "wait_mask", "signal_mask"]:
            fail(f"common fields must be opcode, wait_mask, signal_mask (got {names})")
        self.opcode_field, self.wait_field, self.signal_field = self.common
        self.dep_bits = self.wait_field.width
        if self.signal_field.width != self.dep_bits:
            fail("wait_mask and signal_mask must have the same width")
        for u in self.units:
            if len(u.in_queues) > self.dep_bits or len(u.out_queues) > self.dep_bits:
                fail(f"unit {u.name} has {len(u.in_queues)} incoming and {len(u.out_queues)} "
                     f"outgoing queues; the masks have {self.dep_bits} bits")
            names = [c["name"] for c in u.counters]
            if names[:2] != ["busy", "stall_dep"]:
                fail(f"unit {u.name}: the first counters must be busy and stall_dep")
        self.enums = {}
        for e in raw.get("enums", []):
            for v in e["values"]:
                if v["value"] >= (1 << e["width"]):
                    fail(f"enum {e['name']}: value {v['value']} does not fit {e['width']} bits")
            self.enums[e["name"]] = e
        self.instrs = []
        opcodes = set()
        for ins in raw["instr"]:
            if ins["unit"] not in self.unit_index:
                fail(f"instr {ins['name']}: unknown unit {ins['unit']!r}")
            op = ins["opcode"]
            if op == 0 or op >= (1 << self.opcode_field.width) or op in opcodes:
                fail(f"instr {ins['name']}: opcode {op} is 0, too wide or used twice")
            opcodes.add(op)
            fields = []
            for f in ins["fields"]:
                fe = Field(f["name"], f["lsb"], f["width"], f["doc"], f.get("signed", False),
                           f.get("enum"))
                if fe.enum is not None:
                    if fe.enum not in self.enums:
                        fail(f"{ins['name']}.{fe.name}: unknown enum {fe.enum}")
                    if self.enums[fe.enum]["width"] != fe.width:
                        fail(f"{ins['name']}.{fe.name}: width differs from enum {fe.enum}")
                fields.append(fe)
            fields.sort(key=lambda f: f.lsb)
            self.instrs.append(Instr(ins["name"], op, self.unit_index[ins["unit"]], ins["doc"],
                                     fields))
        for u in self.units:
            if not any(i.unit == u.index for i in self.instrs):
                fail(f"unit {u.name} executes no instruction")
        self.check_fields()
        self.param_blocks = []
        for b in raw.get("param_blocks", []):
            row, fields = 0, []
            for f in b["fields"]:
                rows = {"i32": 4, "i8": 1}.get(f["type"])
                if rows is None:
                    fail(f"param block {b['name']}.{f['name']}: type must be i32 or i8")
                lo, hi = f.get("min"), f.get("max")
                if (lo is None) != (hi is None) or (lo is not None and (f["type"] != "i8" or
                                                                        not -128 <= lo <= hi <= 127)):
                    fail(f"param block {b['name']}.{f['name']}: min and max go together, on i8")
                fields.append(ParamField(f["name"], f["type"], row, rows, f["doc"], lo, hi))
                row += rows
            self.param_blocks.append(ParamBlock(b["name"], b["doc"], fields, row))
        self.numerics = raw["numerics"]

    def check_fields(self) -> None:
        bits = self.instr_bits
        for ins in self.instrs:
            used: dict[int, str] = {}
            for f in self.common + ins.fields:
                for b in range(f.lsb, f.lsb + f.width):
                    if b >= bits:
                        fail(f"{ins.name}.{f.name}: bit {b} beyond {bits}")
                    if b in used:
                        fail(f"{ins.name}.{f.name} overlaps {used[b]} at bit {b}")
                    used[b] = f.name
                if f.width > 32:
                    fail(f"{ins.name}.{f.name}: fields are at most 32 bits")
                if f.lsb // 32 != (f.lsb + f.width - 1) // 32:
                    fail(f"{ins.name}.{f.name}: a field must not straddle words")

    def partner_in(self, u: Unit, i: int) -> str:
        """Name of the unit that feeds wait bit i of unit u."""
        return self.units[self.queues[u.in_queues[i]].src].name

    def partner_out(self, u: Unit, i: int) -> str:
        return self.units[self.queues[u.out_queues[i]].dst].name


# ---------------------------------------------------------------------------
# Registers and counters
# ---------------------------------------------------------------------------

@dataclass
class Counter:
    index: int   # event index in the counter block
    name: str    # e.g. "cycles", "load_busy"
    width: int   # 32 or 64
    step: str    # "1", "dim" or "amount"
    amount_bits: int
    doc: str
    offset: int  # byte offset of the (low) register
    word: int    # word index in the counter block


class Regs:
    def __init__(self, raw: dict, isa: Isa):
        self.raw = raw
        self.magic = raw["regmap"]["magic"]
        cnt = raw["counters"]
        self.counter_base = cnt["base"]
        self.counter_doc = cnt["doc"]
        specs = list(cnt["list"])
        for u in isa.units:
            for c in u.counters:
                specs.append({"name": f"{u.name}_{c['name']}", "width": 32, "step": "1",
                              "doc": c["doc"]})
        self.counters: list[Counter] = []
        word = 0
        amount = 0
        for i, c in enumerate(specs):
            if c["width"] not in (32, 64) or c["step"] not in ("1", "dim", "amount"):
                fail(f"counter {c['name']}: width 32/64 and step 1/dim/amount")
            amount += c["step"] == "amount"
            self.counters.append(Counter(i, c["name"], c["width"], c["step"],
                                         c.get("amount_bits", 0), c["doc"],
                                         self.counter_base + 4 * word, word))
            word += c["width"] // 32
        if amount > 1:
            fail("at most one counter may count an amount")
        self.counter_words = word
        self.amount_bits = max([c.amount_bits for c in self.counters] + [1])
        # The explicit registers followed by the counter registers.
        self.regs = [dict(r) for r in raw["reg"]]
        for c in self.counters:
            if c.width == 64:
                self.regs.append({"name": f"cnt_{c.name}_lo", "offset": c.offset, "access": "rc",
                                  "doc": f"{c.doc} Low word; reading it latches the high word."})
                self.regs.append({"name": f"cnt_{c.name}_hi", "offset": c.offset + 4,
                                  "access": "rc", "doc": f"{c.doc} High word (latched)."})
            else:
                self.regs.append({"name": f"cnt_{c.name}", "offset": c.offset, "access": "rc",
                                  "doc": c.doc})
        seen = {}
        for r in self.regs:
            if r["offset"] in seen or r["offset"] % 4 or r["offset"] >= 0x1000:
                fail(f"register {r['name']}: offset 0x{r['offset']:x} reused, unaligned or "
                     f"beyond 12 bits")
            seen[r["offset"]] = r["name"]
        self.regs.sort(key=lambda r: r["offset"])
        self.err_cause = next(r for r in self.regs if r["name"] == "err_cause")["fields"]
        for i, f in enumerate(self.err_cause):
            if f["lsb"] != i or f["width"] != 1:
                fail("err_cause fields must be single bits from bit 0 up, in order")


# ---------------------------------------------------------------------------
# Configurations
# ---------------------------------------------------------------------------

class Configs:
    def __init__(self, raw: dict):
        self.raw = raw
        self.default = raw["default"]
        self.params = raw["params"]          # [{key, sv, doc}]
        self.configs = raw["config"]
        self.microarch = raw["microarch"]    # name -> {value, doc}
        names = [c["name"] for c in self.configs]
        if self.default not in names:
            fail(f"default configuration {self.default} is not defined")
        for c in self.configs:
            for p in self.params:
                if p["key"] not in c:
                    fail(f"configuration {c['name']} lacks {p['key']}")
            # The window unit's kernel fields are 3 bits; a window of one is no window.
            if not 2 <= c["window_k"] <= 7:
                fail(f"configuration {c['name']}: window_k = {c['window_k']} outside [2, 7]")

    def find(self, name: str) -> dict | None:
        return next((c for c in self.configs if c["name"] == name), None)


class Spec:
    def __init__(self):
        self.isa = Isa(load_toml("isa.toml"))
        self.regs = Regs(load_toml("regs.toml"), self.isa)
        self.cfg = Configs(load_toml("configs.toml"))


def load_configs() -> Configs:
    """Only the configurations (for scripts that need nothing else)."""
    return Configs(load_toml("configs.toml"))
