"""Load and validate every content file; any problem stops start-up naming file and entry."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from content.directory import (
    KINDS,
    STATUSES,
    Directory,
    Organisation,
    Region,
    Review2017,
    Split,
)
from content.errors import ContentError
from content.fields import Entry, unique
from content.library import Nudge, Source
from content.pulse import PulseGuide, load_pulse
from content.strings import Strings, fields
from content.wres import WresGuide, WresIndicator
from scoring.baseline import Baseline, Figure
from scoring.model import (
    ENABLER_KEYS,
    Advice,
    Attribute,
    Band,
    BandRule,
    Change,
    Enabler,
    Item,
    Model,
    Option,
    Scale,
    Section,
)
from scoring.wres import GROUPS as WRES_GROUPS
from scoring.wres import INDICATORS as WRES_INDICATORS

DATA_DIR = Path(__file__).with_name("data")

# Lengths that keep messages and buttons readable on a phone (and under Telegram's limits).
ITEM_TEXT_LIMIT = 300
NEXT_STEP_LIMIT = 300
HELP_LIMIT = 300
LABEL_LIMIT = 40
WHO_KNOWS_LIMIT = 80
OPTION_LABEL_LIMIT = 40
TIP_LIMIT = 500
NUDGE_TITLE_LIMIT = 80
NUDGE_BODY_LIMIT = 900


@dataclass(frozen=True)
class Content:
    model: Model
    baseline: Baseline
    directory: Directory
    nudges: tuple[Nudge, ...]
    strings: Strings
    wres: WresGuide
    pulse: PulseGuide
    staff_group: str = "BME"

    def nudge(self, key: str) -> Nudge | None:
        return next((nudge for nudge in self.nudges if nudge.key == key), None)


STAFF_GROUP = "{staff_group}"
"""Written in any content text where the staff group is named; replaced by terms.toml's setting."""


def _read(directory: Path, name: str, staff_group: str | None = None) -> Entry:
    """A content file's top level, with the staff-group name written into every text."""
    path = directory / name
    try:
        with path.open("rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
    except FileNotFoundError:
        raise ContentError(name, "file", f"not found in {directory}") from None
    except tomllib.TOMLDecodeError as error:
        raise ContentError(name, "file", f"is not valid TOML ({error})") from None
    if staff_group is not None:
        data = _with_group(data, staff_group)
    return Entry(name, "top level", data)


def _with_group(value: Any, staff_group: str) -> Any:
    if isinstance(value, str):
        return value.replace(STAFF_GROUP, staff_group)
    if isinstance(value, list):
        return [_with_group(v, staff_group) for v in value]
    if isinstance(value, dict):
        return {k: _with_group(v, staff_group) for k, v in value.items()}
    return value


def load_content(directory: Path = DATA_DIR) -> Content:
    """Read every content file under `directory` and check it is complete and consistent."""
    group = _read(directory, "terms.toml").text("staff_group", limit=40)
    if "{" in group or "}" in group:
        raise ContentError("terms.toml", "staff_group", "must not contain braces")

    def read(name: str) -> Entry:
        return _read(directory, name, group)

    enablers = _load_enablers(read("craft.toml"))
    model = _load_model(read("model.toml"), read("bands.toml"), enablers)
    pulse_file = read("pulse.toml")
    return Content(
        model=model,
        baseline=_load_baseline(read("baseline.toml"), model),
        directory=_load_directory(read("regions.toml"), read("organisations.toml")),
        nudges=_load_nudges(read("nudges.toml")),
        strings=_load_strings(
            [read("strings.toml")]
            + [
                read(f"strings/{path.name}")
                for path in sorted((directory / "strings").glob("*.toml"))
            ]
        ),
        wres=_load_wres(read("wres.toml")),
        pulse=load_pulse(pulse_file, model),
        staff_group=group,
    )


def _load_enablers(top: Entry) -> tuple[Enabler, ...]:
    entries = list(top.entries("enablers"))
    unique(entries, "key")
    enablers = []
    for entry in entries:
        tips = tuple(
            Advice(
                text=tip.text("text", limit=TIP_LIMIT),
                theme=tip.text("theme", limit=40),
                requires=tip.text("requires", optional=True) or None,
            )
            for tip in entry.entries("tips")
        )
        if len(tips) < 4:
            raise entry.fail(f"needs at least 4 tips, has {len(tips)}")
        if len({tip.text for tip in tips}) != len(tips):
            raise entry.fail("has a repeated tip")
        enablers.append(
            Enabler(
                key=entry.text("key"),
                name=entry.text("name"),
                short=entry.text("short", limit=20),
                description=entry.text("description"),
                tips=tips,
            )
        )
    keys = tuple(enabler.key for enabler in enablers)
    if keys != ENABLER_KEYS:
        raise top.fail(f"enablers must be {', '.join(ENABLER_KEYS)} in that order, got {keys}")
    return tuple(enablers)


def _load_scales(top: Entry) -> dict[str, Scale]:
    scales = {}
    for key in top.table("scales").data:
        entry = top.table("scales").table(key)
        options = []
        for option in entry.entries("options"):
            options.append(
                Option(
                    label=option.text("label", limit=OPTION_LABEL_LIMIT),
                    points=option.integer("points"),
                    demonstrates=option.flag("demonstrates"),
                    dont_know=option.flag("dont_know"),
                )
            )
        if not options[0].dont_know or any(option.dont_know for option in options[1:]):
            raise entry.fail('the first option, and only it, must be "Don\'t know" (dont_know)')
        if options[0].points != 0 or options[0].demonstrates:
            raise entry.fail('"Don\'t know" must score 0 and demonstrate nothing')
        points = [option.points for option in options[1:]]
        if not points or points[0] != 0 or points != sorted(set(points)):
            raise entry.fail("option points must start at 0 and rise strictly")
        shown = [option.demonstrates for option in options]
        if shown != sorted(shown) or not shown[-1]:
            raise entry.fail("once an option demonstrates an attribute, every higher one must")
        scales[key] = Scale(key, tuple(options))
    return scales


def _load_model(top: Entry, bands_file: Entry, enablers: tuple[Enabler, ...]) -> Model:
    sections_entries = list(top.entries("sections"))
    unique(sections_entries, "key")
    sections = tuple(
        Section(
            key=e.text("key"),
            title=e.text("title", limit=60),
            summary=e.text("summary"),
            intro=e.text("intro", limit=HELP_LIMIT),
        )
        for e in sections_entries
    )
    scales = _load_scales(top)

    attribute_entries = list(top.entries("attributes"))
    unique(attribute_entries, "key")
    attributes = {}
    for entry in attribute_entries:
        band = entry.text("band")
        if band not in set(Band):
            raise entry.fail(f"unknown band {band!r}")
        attributes[entry.text("key")] = Attribute(entry.text("key"), Band(band), entry.text("text"))

    item_entries = list(top.entries("items"))
    unique(item_entries, "key")
    unique(item_entries, "text")
    items = []
    for entry in item_entries:
        section_key, enabler, scale = (
            entry.text("section"),
            entry.text("enabler"),
            entry.text("scale"),
        )
        if section_key not in {s.key for s in sections}:
            raise entry.fail(f"unknown section {section_key!r}")
        if enabler not in ENABLER_KEYS:
            raise entry.fail(f"unknown CRAFT enabler {enabler!r}")
        if scale not in scales:
            raise entry.fail(f"unknown scale {scale!r}")
        attribute_key = entry.text("attribute", optional=True)
        if attribute_key and attribute_key not in attributes:
            raise entry.fail(f"unknown attribute {attribute_key!r}")
        items.append(
            Item(
                key=entry.text("key", limit=40),
                section=section_key,
                enabler=enabler,
                scale=scales[scale],
                text=entry.text("text", limit=ITEM_TEXT_LIMIT),
                next_step=entry.text("next_step", limit=NEXT_STEP_LIMIT),
                attribute=attributes[attribute_key] if attribute_key else None,
                evidence=entry.flag("evidence"),
                organisation_ask=entry.text(
                    "organisation_ask", limit=NEXT_STEP_LIMIT, optional=True
                ),
                theme=entry.text("theme", limit=40),
                requires=entry.text("requires", optional=True) or None,
                label=entry.text("label", limit=LABEL_LIMIT),
                help=entry.text("help", limit=HELP_LIMIT),
                example=entry.text("example", limit=HELP_LIMIT),
                why=entry.text("why", limit=HELP_LIMIT),
                who_knows=entry.text("who_knows", limit=WHO_KNOWS_LIMIT),
                evidence_example=entry.text(
                    "evidence_example", limit=HELP_LIMIT, optional=not entry.flag("evidence")
                ),
            )
        )
    # Items must come section by section, in the sections' order.
    order = [s.key for s in sections]
    if [order.index(i.section) for i in items] != sorted(order.index(i.section) for i in items):
        raise top.fail("items must be grouped by section, in the order the sections are listed")
    if not any(item.organisation_ask for item in items):
        raise top.fail("no item has an 'organisation_ask': the board pack needs some")
    keys = {item.key for item in items}
    advice = [item.advice for item in items] + [tip for e in enablers for tip in e.tips]
    for unknown in (a.requires for a in advice if a.requires and a.requires not in keys):
        raise top.fail(f"advice requires unknown item {unknown!r}")
    for attribute in attributes.values():
        if not any(item.attribute == attribute for item in items):
            raise top.fail(f"attribute {attribute.key!r} is not evidenced by any item")

    model = Model(
        version=top.text("version", limit=40),
        max_total=top.integer("max_total"),
        sections=sections,
        items=tuple(items),
        attributes=tuple(attributes.values()),
        bands=_load_bands(bands_file, top.integer("max_total")),
        enablers=enablers,
        changes=_load_changes(top, scales, {item.key for item in items}),
    )
    total = sum(model.section_maximum(s.key) for s in sections)
    if total != model.max_total:
        raise top.fail(f"section maxima add up to {total}, not max_total {model.max_total}")
    for empty in (s.key for s in sections if model.section_maximum(s.key) == 0):
        raise top.fail(f"section {empty!r} has no items")
    return model


def _load_changes(top: Entry, scales: dict[str, Scale], items: set[str]) -> tuple[Change, ...]:
    """The version notes, oldest first; the last one must name the model's own version."""
    changes: list[Change] = []
    for entry in _optional_entries(top, "changes"):
        options: dict[str, tuple[int, ...]] = {}
        table = entry.data.get("options", {})
        if not isinstance(table, dict):
            raise entry.fail("'options' must be a table of scale -> list of option numbers")
        for scale, mapping in table.items():
            if scale not in scales:
                raise entry.fail(f"unknown scale {scale!r} in 'options'")
            count = len(scales[scale].options)
            if not isinstance(mapping, list) or not all(
                isinstance(n, int) and not isinstance(n, bool) and -1 <= n < count for n in mapping
            ):
                raise entry.fail(
                    f"options for {scale!r} must be option numbers below {count} or -1"
                )
            options[scale] = tuple(mapping)
        ask_again = frozenset(entry.texts("ask_again"))
        if changes and entry.text("previous") != changes[-1].version:
            raise entry.fail("each version note must follow the one before it")
        changes.append(
            Change(
                version=entry.text("version", limit=40),
                previous=entry.text("previous", limit=40),
                note=entry.text("note"),
                ask_again=ask_again,
                options=options,
            )
        )
    if changes and changes[-1].version != top.text("version", limit=40):
        raise top.fail("the last version note must be for the model's own version")
    unknown = sorted(key for change in changes[-1:] for key in change.ask_again - items)
    if unknown:
        raise top.fail(f"version note asks again for unknown items: {', '.join(unknown)}")
    return tuple(changes)


def _load_bands(top: Entry, max_total: int) -> tuple[BandRule, ...]:
    rules = []
    for entry in top.entries("bands"):
        key = entry.text("key")
        if key not in set(Band):
            raise entry.fail(f"unknown band {key!r}")
        rules.append(
            BandRule(
                band=Band(key),
                name=entry.text("name", limit=30),
                theme=entry.text("theme", limit=60, optional=True),
                minimum=entry.integer("min"),
                maximum=entry.integer("max"),
                summary=entry.text("summary"),
            )
        )
    if [rule.band for rule in rules] != list(Band):
        raise top.fail("bands must be pathfinder, cultivator, activator, in that order")
    expected_min = 0
    for rule in rules:
        if rule.minimum != expected_min or rule.maximum < rule.minimum:
            raise top.fail(f"band {rule.band} must start at {expected_min} and not end before it")
        expected_min = rule.maximum + 1
    if rules[-1].maximum != max_total:
        raise top.fail(f"the top band must end at the maximum total {max_total}")
    return tuple(rules)


def _load_baseline(top: Entry, model: Model) -> Baseline:
    counts_entry, percent_entry = top.table("band_counts"), top.table("band_percent")
    counts = {band: counts_entry.integer(band.value) for band in Band}
    percents = {band: percent_entry.number(band.value) for band in Band}
    assessed = top.integer("networks_assessed")
    if sum(counts.values()) != assessed:
        raise counts_entry.fail(f"band counts add up to {sum(counts.values())}, not {assessed}")
    for band in Band:
        if abs(100 * counts[band] / assessed - percents[band]) > 0.01:
            raise percent_entry.fail(f"{band} percent does not match its count")
    figures = []
    for entry in top.entries("figures"):
        item = entry.text("item", optional=True) or None
        if item is not None and not model.has_item(item):
            raise entry.fail(f"unknown item {item!r}")
        percent = entry.integer("percent")
        if not 0 <= percent <= 100:
            raise entry.fail("percent must be between 0 and 100")
        figures.append(
            Figure(
                key=entry.text("key"),
                item=item,
                percent=percent,
                at_least=entry.flag("at_least"),
                text=entry.text("text"),
                source=entry.text("source"),
            )
        )
    return Baseline(
        year=top.integer("year"),
        networks_assessed=assessed,
        mean_total=top.integer("mean_total"),
        max_total=top.integer("max_total"),
        band_counts=counts,
        band_percent=percents,
        figures=tuple(figures),
    )


def _load_directory(regions_file: Entry, organisations_file: Entry) -> Directory:
    region_entries = list(regions_file.entries("regions"))
    unique(region_entries, "key")
    regions = tuple(
        Region(key=e.text("key"), name=e.text("name"), aliases=e.texts("aliases"))
        for e in region_entries
    )
    region_keys = {region.key for region in regions}
    entries = list(organisations_file.entries("organisations"))
    unique(entries, "name")
    organisations = []
    for entry in entries:
        kind = entry.text("kind")
        if kind not in KINDS:
            raise entry.fail(f"kind {kind!r} is not one of {', '.join(KINDS)}")
        region = entry.text("region", optional=True) or None
        if region is not None and region not in region_keys:
            raise entry.fail(f"unknown region {region!r}")
        if (region is None) != (kind == "national"):
            raise entry.fail("national bodies have no region and every other entry has one")
        organisations.append(
            Organisation(
                name=entry.text("name", limit=120),
                code=entry.text("code", optional=True),
                kind=kind,
                region=region,
                aliases=entry.texts("aliases", limit=120),
                review_2017=tuple(
                    _review_2017(fact) for fact in _optional_entries(entry, "review_2017")
                ),
            )
        )
    dropped = tuple(
        _review_2017(entry, reason=True)
        for entry in _optional_entries(organisations_file, "dropped_2017")
    )
    return Directory(
        regions=regions,
        organisations=tuple(organisations),
        dropped_2017=dropped,
        splits=_load_splits(organisations_file, organisations),
    )


def _load_splits(top: Entry, organisations: list[Organisation]) -> tuple[Split, ...]:
    """Former organisations split between successors: each successor must be listed, and the
    former name must not also be one organisation's name or alias."""
    spellings = {name.casefold() for org in organisations for name in (org.name, *org.aliases)}
    names = {org.name for org in organisations}
    splits = []
    for entry in _optional_entries(top, "splits"):
        name, successors = entry.text("name", limit=120), entry.texts("successors")
        if name.casefold() in spellings:
            raise entry.fail(f"{name!r} is also an organisation's name or alias")
        unknown = [s for s in successors if s not in names]
        if len(successors) < 2 or unknown:
            raise entry.fail(f"needs two or more listed successors (unknown: {unknown})")
        splits.append(Split(name=name, successors=successors, note=entry.text("note")))
    return tuple(splits)


def _optional_entries(entry: Entry, name: str) -> list[Entry]:
    return list(entry.entries(name)) if name in entry.data else []


def _review_2017(entry: Entry, *, reason: bool = False) -> Review2017:
    """One 2017 annex row; its status must be the one its annex stands for."""
    annex, status = entry.text("annex"), entry.text("status")
    if STATUSES.get(annex) != status:
        raise entry.fail(f"status {status!r} does not match annex {annex!r}")
    if reason:
        entry.text("reason")
    return Review2017(
        annex=annex,
        status=status,
        name=entry.text("name"),
        listed_region=entry.text("listed_region"),
        note=entry.text("note", optional=True),
    )


def _load_nudges(top: Entry) -> tuple[Nudge, ...]:
    source_entries = list(top.entries("sources"))
    unique(source_entries, "key")
    sources = {
        e.text("key"): Source(
            key=e.text("key"),
            label=e.text("label", limit=200),
            document=e.text("document"),
            part=e.text("part"),
        )
        for e in source_entries
    }
    entries = list(top.entries("nudges"))
    for name in ("key", "title", "body"):
        unique(entries, name)
    nudges = []
    for entry in entries:
        enabler, source = entry.text("enabler"), entry.text("source")
        if enabler not in ENABLER_KEYS:
            raise entry.fail(f"unknown CRAFT enabler {enabler!r}")
        if source not in sources:
            raise entry.fail(f"unknown source {source!r}")
        nudges.append(
            Nudge(
                key=entry.text("key", limit=60),
                enabler=enabler,
                theme=entry.text("theme", limit=40),
                title=entry.text("title", limit=NUDGE_TITLE_LIMIT),
                body=entry.text("body", limit=NUDGE_BODY_LIMIT),
                source=sources[source],
            )
        )
    return tuple(nudges)


def _load_wres(top: Entry) -> WresGuide:
    entries = list(top.entries("indicators"))
    indicators = []
    for entry in entries:
        first = entry.text("first")
        if first not in WRES_GROUPS:
            raise entry.fail(f"first must be one of {', '.join(WRES_GROUPS)}, not {first!r}")
        indicators.append(
            WresIndicator(
                number=entry.integer("number"),
                title=entry.text("title", limit=40),
                wording=entry.text("wording", limit=200),
                first=first,
                size=entry.text("size", limit=60),
                count=entry.text("count", limit=60),
            )
        )
    numbers = tuple(indicator.number for indicator in indicators)
    if numbers != WRES_INDICATORS:
        raise top.fail(f"indicators must be {WRES_INDICATORS} in that order, got {numbers}")
    checked_on = top.text("checked_on")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", checked_on):
        raise top.fail("checked_on must be a date, YYYY-MM-DD")
    sources = top.texts("sources")
    if not sources:
        raise top.fail("needs at least one source")
    return WresGuide(tuple(indicators), checked_on, sources, top.text("note"))


def _load_strings(files: list[Entry]) -> Strings:
    """Flatten `[section] name = "..."` into keys like "section.name", from strings.toml and each
    feature's own file in strings/; a key defined in two files is refused."""
    templates: dict[str, str] = {}
    for top in files:
        _walk_strings(top, "", top.data, templates)
    return Strings(templates)


def _walk_strings(
    top: Entry, prefix: str, table: dict[str, Any], templates: dict[str, str]
) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            _walk_strings(top, f"{key}.", value, templates)
            continue
        if not isinstance(value, str) or not value.strip():
            raise top.fail(f"string {key!r} must be non-empty text")
        try:
            fields(value)
        except ValueError as error:
            raise top.fail(f"string {key!r} has a broken placeholder ({error})") from None
        if key in templates:
            raise top.fail(f"string {key!r} is defined in another strings file too")
        # Only the newline after an opening triple quote goes; edge spaces can matter.
        templates[key] = value.strip("\n")
