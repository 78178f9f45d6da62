"""One actor across the store's articles: each brief's actor rows linked to a row of ``actors``.

A brief knows that "Assad" is Bashar al-Assad within its own article; a reader asking "what's new on
Assad?" needs the store to know it across articles. :func:`link_actors` runs as each brief is
written and gives each of its actor rows an actor, merging conservatively, because a wrong merge
(two people's news under one name) is worse than a missed one (one person's news under two):

* **Exact names.** A row joins the actor its name already means (``actor_names``): the same
  lowercased name, or the same person without "al-", a title or a rank ("Bashar Assad", "Barack
  Obama" for "President Barack Obama"). Kinds must agree: the same kind, or organisation and group,
  which the model swaps for one collective ("Hezbollah" is tagged both). A name of several words is
  one actor whatever its kinds ("Tony Blair" tagged a place once); a one-word name of two kinds may
  be two actors ("Jordan" the country, "Jordan" the striker) and stays two.
* **Surnames.** A full name registers its surname where its article calls the person by it alone
  ("Assad", "Mr Blair"; "de gaulle", "von der leyen" with their particles); a namesake named once in
  full is not known by the surname. A bare surname ("Assad", "al-Assad", "Mr Blair", "Gen
  Musharraf") joins the one person it means, unless the surname is also a known first name
  ("Gordon"), "Mrs Howard" where articles call the man "Mr Howard", or the bare name's own article
  names a full name with that surname (the brief kept them apart). A bare surname seen before any
  full name gets an actor of its own, which the first full name known by it then takes in.
* **Shared names.** A second full name known by the surname ("Hafez al-Assad") makes it shared:
  the surname then means neither full name but an actor of its own ("Assad", whichever Assad a bare
  mention meant), and the bare mentions already linked to the first full name move there. The
  surname keeps pointing at that actor, with a ``~shared:`` mark, instead of being deleted: a
  deleted name would look unknown to a third Assad, who would take it.
* **Acronyms.** An acronym an article defines for a long name ("International Dockworkers Union
  (IDU)": the article's alias rows) is registered for it; "IDU" alone joins it, before or after.
  A second long name with the same acronym makes it shared, as for surnames.
* **Synonyms.** "U.S.", "US", "America" and "United States" are one place (``SAME_PLACE``).
* **Not merged.** Two actors of one article, a first name alone ("Hillary"), a royal or noble
  title with one name ("Prince Andrew", "Lord Kinnock"), a short form ("the Journal" is not the Wall
  Street Journal), a name inside another ("Premier League", "Barclays Premier League"). A hand
  merge joins them.
* **Corrections** (``actor_corrections``, made with ``briefbot actors merge|split``) are replayed
  on every link: merged names always mean one actor; a split name never links to the actor it was
  split from. So a correction survives ``db rebrief``, which rewrites the actor rows.

``actor_names`` keys starting with ``~`` are marks no name can have (``~shared:``, ``~first:``).
Cost: linking an article is about five statements (its rows and aliases, the names its keys have,
then the inserts and updates, each one statement), whatever the store holds; measured by
``bench/actor_merges.py`` with the precision and recall of the merges.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, cast

from sqlalchemy import Connection, Table, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.actor_kinds import actor_key
from storage.actor_names import suggest
from storage.models import (
    ActorAliasRow,
    ActorCorrectionRow,
    ActorEntityRow,
    ActorNameRow,
    ActorRow,
    ArticleRow,
)
from summarizer.actors import initials, name_cores, normalize_name
from summarizer.kinds import NAME_TITLES, OFFICES, RANKS, SAME_PLACE

if TYPE_CHECKING:  # the store imports this module to link each brief it writes
    from storage.store import Store

# The tables themselves, for the executemany statements of a link (the ORM's bookkeeping is slower).
ACTORS = cast(Table, ActorEntityRow.__table__)
ACTOR_ROWS = cast(Table, ActorRow.__table__)
ACTOR_NAMES = cast(Table, ActorNameRow.__table__)
CORRECTIONS_CACHE = "briefbot.actor_corrections"  # Session.info key: the corrections, read once
# The statements every link sends, built once (building them cost as much as running them).
ARTICLE_ROWS = (
    select(ACTOR_ROWS.c.id, ACTOR_ROWS.c.name, ACTOR_ROWS.c.kind, ACTOR_ROWS.c.rank, ActorAliasRow.key)
    .outerjoin(ActorAliasRow, ActorAliasRow.actor_id == ACTOR_ROWS.c.id)
    .where(ACTOR_ROWS.c.article_id == bindparam("article"))
)
NAMES_OF_KEYS = (
    select(ACTOR_NAMES.c.key, ACTORS.c.id, ACTORS.c.name, ACTORS.c.kind)
    .join(ACTORS, ACTORS.c.id == ACTOR_NAMES.c.actor_id)
    .where(ACTOR_NAMES.c.key.in_(bindparam("keys", expanding=True)))
)
INSERT_ACTORS = insert(ACTORS).returning(ACTORS.c.id, sort_by_parameter_order=True)
RENAME_ACTORS = update(ACTORS).where(ACTORS.c.id == bindparam("actor")).values(name=bindparam("new_name"))
LINK_ROWS = update(ACTOR_ROWS).where(ACTOR_ROWS.c.id == bindparam("row")).values(actor_id=bindparam("actor"))
INSERT_NAMES_RETURNING = postgresql_insert(ACTOR_NAMES).on_conflict_do_nothing().returning(ACTOR_NAMES.c.key)
INSERT_NAMES = {
    "postgresql": postgresql_insert(ACTOR_NAMES).on_conflict_do_nothing(),
    "sqlite": sqlite_insert(ACTOR_NAMES).on_conflict_do_nothing(),
}
RELINK_BATCH = 200  # articles linked per transaction by relink_all
SUGGESTIONS = 5
# Titles a surname follows ("Mr Blair", "President Obama"); the others a first name ("Prince Andrew").
SURNAME_TITLES = frozenset(
    "mr mrs ms miss dr prof president senator sen rep gov governor mayor judge".split()
)
PARTICLES = frozenset("de da di du del della der den dos das van von ter le la bin ibn abu st".split())
COLLECTIVE = frozenset({"organization", "group"})
PLACE_OR_BODY = frozenset({"place", "organization"})
MALE_TITLES = frozenset({"mr"})
FEMALE_TITLES = frozenset({"mrs", "ms", "miss"})
TITLE_WORDS = NAME_TITLES | OFFICES  # "Queen", "President" alone: a title, not a surname
# Keys no name can have ("~" never starts one): the store's memory of what a name key cannot say.
SHARED_MARK = "~shared:"  # "~shared:assad" -> the bare "Assad": two full names have that surname
FIRST_MARK = "~first:"  # "~first:gordon": some known person's first name (Gordon Brown's)
SYNONYMS: dict[str, tuple[str, ...]] = {name: names for names in SAME_PLACE for name in names}


class UnknownActor(LookupError):
    """No actor goes by the name; the message is one line, with the closest known names."""


class CorrectionRefused(ValueError):
    """A merge or split that cannot be made as asked (the same actor, a name it does not have)."""


@dataclass(frozen=True, slots=True)
class ActorSummary:
    """An actor as ``briefbot actors list|show`` prints it."""

    id: int
    name: str
    kind: str
    aliases: tuple[str, ...]
    stories: int
    articles: int


# -- names ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameForms:
    """The keys a row's name is known by.

    ``exact`` keys mean this very name: looked up, and registered for the row's actor when free.
    ``shared`` keys (a full name's surname, a long name's acronym) may turn out to mean several
    actors: registered while one actor holds them, made an actor of their own when a second one
    comes. A ``bare`` name (a surname or an acronym alone) joins what its keys already mean; a bare
    person's ``surname`` is the key it joins a full name by, and its ``title`` ("mr", "mrs") tells
    a wife from a husband. ``first`` is a full name's first name, remembered so that "Gordon" alone
    is not taken for Craig Gordon where Gordon Brown is known too.
    """

    key: str
    exact: tuple[str, ...]
    shared: tuple[str, ...] = ()
    bare: bool = False
    acronym: bool = False
    synonym: bool = False
    surname: str = ""
    title: str = ""
    first: str = ""


def _unique(*keys: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(k for k in keys if k))


def is_acronym(name: str) -> bool:
    """ "IDU", "U.S.", "NATO": one word of capitals (dots allowed)."""
    letters = [c for c in name if c.isalpha()]
    return " " not in name and len(letters) >= 2 and all(c.isupper() for c in letters)


def _surname(cores: Sequence[str]) -> str:
    """The last name part with the particles before it: "de gaulle", "von der leyen", "assad"."""
    start = len(cores) - 1
    while start > 1 and cores[start - 1] in PARTICLES:
        start -= 1
    return " ".join(cores[start:])


@lru_cache(maxsize=65536)
def person_cores(name: str) -> tuple[str, ...]:
    """A person's name parts without "al-", titles ("Mr", "Gen"), or "Jr": what names are matched by."""
    cores = name_cores(name)
    while len(cores) > 1 and cores[0] in RANKS:
        cores = cores[1:]
    return cores


@lru_cache(maxsize=65536)
def name_forms(name: str, kind: str, aliases: tuple[str, ...] = ()) -> NameForms:
    """The keys :func:`link_actors` knows a row by (``aliases``: the article's alias keys for it)."""
    key = actor_key(name)
    # "International Monetary Fund (IMF": a name the model cut inside its brackets means the name before.
    head = actor_key(name.split(" (", 1)[0]) if "(" in name and ")" not in name else key
    dotless = key.replace(".", "")
    synonyms = (SYNONYMS.get(key) or SYNONYMS.get(dotless) or ()) if kind in PLACE_OR_BODY else ()
    if is_acronym(name):
        return NameForms(key, _unique(key, *synonyms), bare=True, acronym=True, synonym=bool(synonyms))
    if kind == "person" and not any(c.isdigit() for c in name):  # not "Roddick 6-2 7-6"
        words = name.split()
        cores = person_cores(name)
        first = words[0].lower().rstrip(".") if len(words) > 1 else ""
        title = first if first in NAME_TITLES | RANKS else ""
        significant = [c for c in cores if c not in PARTICLES]
        if len(significant) > 1:
            surname = _surname(cores)
            # Registered only where the article itself calls the person by it ("Mr Blair" for Tony
            # Blair): a namesake named once in full is not "known as Blair".
            called = any(person_cores(alias) == tuple(surname.split()) for alias in aliases)
            keep = called and surname not in SYNONYMS and surname not in TITLE_WORDS
            return NameForms(
                key, _unique(key, " ".join(cores)), shared=(surname,) if keep else (), first=cores[0]
            )
        if (
            (title and title not in SURNAME_TITLES | RANKS)
            or not significant
            or significant[0] in TITLE_WORDS
        ):
            return NameForms(key, (key,))  # "Prince Andrew", "the Queen": no surname to go by
        core = actor_key(" ".join(cores))
        return NameForms(key, _unique(key, core), bare=True, surname=core, title=title)
    acronyms = sorted(
        {a for a in aliases if a != key and len(a) >= 2 and a == initials(name).lower() and a not in SYNONYMS}
    )
    return NameForms(key, _unique(key, head, *synonyms), shared=tuple(acronyms), synonym=bool(synonyms))


def _written(name: str, shared: str) -> str | None:
    """How the name writes a shared key, if it does: "Assad" of "Bashar al-Assad" for "assad"."""
    parts = shared.split()
    words = name.split()
    for start in range(len(words) - len(parts), -1, -1):
        chunk = words[start : start + len(parts)]
        if [(name_cores(w) or ("",))[0] for w in chunk] == parts:
            chunk[0] = chunk[0].split("-", 1)[1] if chunk[0][:3].lower() in {"al-", "el-"} else chunk[0]
            return " ".join(chunk)
    return None


def _surface(name: str, shared: str) -> str:
    """The display name of a shared key's own actor: "Assad", "IDU"."""
    written = _written(name, shared)
    if written is not None:
        return written
    return shared.upper() if " " not in shared and len(shared) <= 6 else shared.title()


def compatible(row_kind: str, actor_kind: str, forms: NameForms) -> bool:
    """Kinds that may be one actor across articles (see the module's docstring)."""
    if row_kind == actor_kind or {row_kind, actor_kind} <= COLLECTIVE:
        return True
    if forms.synonym and {row_kind, actor_kind} <= PLACE_OR_BODY:  # "EU", "UN"
        return True
    return forms.acronym and actor_kind in COLLECTIVE and row_kind in COLLECTIVE | {"person", "place"}


def is_full(name: str, kind: str) -> bool:
    """Whether a display name is more than a surname or an acronym alone."""
    return not name_forms(name, kind).bare


def titled(title: str, surname: str) -> tuple[str, ...]:
    """ "Mr Howard" with the titles of the same sex: what a full name must have been called for
    "Mr Howard" (or "Mrs Howard") alone to join it; Michael Howard's wife is not Michael Howard."""
    for titles in (MALE_TITLES, FEMALE_TITLES):
        if title in titles:
            return tuple(f"{t} {surname}" for t in sorted(titles))
    return ()


# -- corrections ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corrections:
    """The hand corrections in force: merge groups of name keys, and the pairs split apart."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    splits: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Corrections:
        rows = session.execute(
            select(ActorCorrectionRow.action, ActorCorrectionRow.key, ActorCorrectionRow.other).order_by(
                ActorCorrectionRow.id
            )
        ).all()
        if not rows:
            return cls()
        last: dict[frozenset[str], str] = {}
        for action, key, other in rows:  # the later correction of a pair wins
            last[frozenset((key, other))] = action
        parent: dict[str, str] = {}

        def find(key: str) -> str:
            while parent.get(key, key) != key:
                key = parent[key]
            return key

        splits: dict[str, set[str]] = {}
        for pair, action in last.items():
            a, b = sorted(pair) if len(pair) == 2 else (next(iter(pair)),) * 2
            if action == "merge":
                parent.setdefault(a, a)
                parent.setdefault(b, b)
                parent[find(b)] = find(a)
            else:
                splits.setdefault(a, set()).add(b)
                splits.setdefault(b, set()).add(a)
        members: dict[str, set[str]] = {}
        for key in parent:
            members.setdefault(find(key), set()).add(key)
        groups = {key: frozenset(members[find(key)]) for key in parent}
        return cls(groups, {key: frozenset(others) for key, others in splits.items()})

    def group(self, keys: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self.groups.get(k, ()) for k in keys))

    def partners(self, keys: Iterable[str]) -> frozenset[str]:
        return frozenset().union(*(self.splits.get(k, ()) for k in keys))


# -- linking --------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Actor:
    """An actor as one article's linking sees it; ``id`` is None until it is inserted."""

    id: int | None
    name: str
    kind: str
    renamed: bool = False


@dataclass(frozen=True, slots=True)
class _Row:
    """A brief's actor row, as linking reads it."""

    id: int
    name: str
    kind: str
    rank: int


@dataclass(slots=True)
class _Linker:
    """One article's linking, in one session: what its keys mean, and what it changed. Writes are
    gathered and sent at the end, a statement each (new actors, names, links)."""

    db: Connection
    article_id: int
    now: datetime
    corrections: Corrections
    actors: dict[int, _Actor] = field(default_factory=dict)  # by id, the stored actors seen
    held: dict[str, _Actor] = field(default_factory=dict)  # key -> the actor it means
    taken: set[int] = field(default_factory=set)  # id() of the actors this article's rows joined
    created: list[_Actor] = field(default_factory=list)
    new_names: dict[str, _Actor] = field(default_factory=dict)
    links: dict[int, _Actor] = field(default_factory=dict)  # row id -> its actor
    kinds: dict[int, str] = field(default_factory=dict)  # row id -> its kind
    namesakes: dict[str, list[int]] = field(default_factory=dict)  # surname -> the full names' rows here

    def stored(self, actor_id: int, name: str, kind: str) -> _Actor:
        actor = self.actors.get(actor_id)
        if actor is None:
            actor = self.actors[actor_id] = _Actor(actor_id, name, kind)
        return actor

    def load(self, keys: Collection[str]) -> None:
        if not keys:
            return
        for key, actor_id, name, kind in self.db.execute(NAMES_OF_KEYS, {"keys": sorted(keys)}):
            self.held[key] = self.stored(actor_id, name, kind)

    def link(self, row: _Row, forms: NameForms, aliases: Collection[str]) -> None:
        group = self.corrections.group(forms.exact)
        target = self.candidate(row, forms, group) or self.create(row.name, row.kind)
        self.taken.add(id(target))
        self.links[row.id] = target
        for key in sorted(group):
            target = self.force(key, target)
        joined_bare = forms.bare and any(self.held.get(k) is target for k in forms.exact)
        if not joined_bare or target in self.created:
            for key in forms.exact:
                if key not in self.held and self.may_register(key, target):
                    self.register(key, target)
            for key in forms.shared:
                if self.may_register(key, target):
                    target = self.share(key, target, row, forms, aliases)
            if forms.first and FIRST_MARK + forms.first not in self.held:
                self.register(FIRST_MARK + forms.first, target)
        if not forms.bare and not is_full(target.name, target.kind):
            target.name, target.renamed = row.name[:256], True  # "Assad" becomes "Bashar al-Assad"

    def candidate(self, row: _Row, forms: NameForms, group: frozenset[str]) -> _Actor | None:
        """The actor the row's names already mean, if one may take it; else None."""
        partners = self.corrections.partners(forms.exact)
        refused = {id(self.held[p]) for p in partners if p in self.held} | self.taken
        held_elsewhere = False
        for key in (*forms.exact, *sorted(group - set(forms.exact))):
            actor = self.held.get(key)
            if actor is None:
                continue
            if key in group:  # a hand merge: kinds and the article's own distinctions give way
                return actor
            held_elsewhere = True
            # A name of several words is one actor whatever kinds the model gave it ("Tony Blair"
            # tagged a place once); one word may be two ("Jordan" the country, "Jordan" the striker).
            fits = compatible(row.kind, actor.kind, forms) or (key == forms.key and " " in key)
            if key == forms.surname and is_full(actor.name, actor.kind):
                verdict = self.surname_here(key, actor)
                if verdict is None and id(actor) not in refused and fits and self.surname_fits(forms, actor):
                    return actor
                if verdict and fits:
                    return actor
                refused.add(id(actor))
                continue
            if id(actor) in refused or not fits:
                continue
            return actor
        if held_elsewhere:  # "Washington" the city, where the name means George Washington's surname
            return self.same_name_elsewhere(row, forms, refused)
        return None

    def surname_here(self, surname: str, actor: _Actor) -> bool | None:
        """What the article itself says of a bare surname's full names: None, it names none; False,
        the brief kept the surname apart from them (two Smiths here, or one beyond its top actors);
        True, it names one the model gave another kind ("David Beckham" as a place), the reason the
        brief did not fold the surname into it."""
        here = self.namesakes.get(surname, [])
        if not here:
            return None
        return len(here) == 1 and self.kinds[here[0]] != "person" and self.links.get(here[0]) is actor

    def surname_fits(self, forms: NameForms, actor: _Actor) -> bool:
        """A bare surname may join the full name it means: not when it is a known first name too
        ("Gordon"), and "Mr Howard" only a man some article called so (one indexed query)."""
        if not forms.title and FIRST_MARK + forms.surname in self.held:
            return False
        same = titled(forms.title, forms.surname)
        if not same:
            return True
        called = self.db.scalar(
            select(ActorAliasRow.key)
            .join(ActorRow, ActorRow.id == ActorAliasRow.actor_id)
            .where(ActorAliasRow.key.in_(same), ActorRow.actor_id == actor.id)
            .limit(1)
        )
        return called is not None

    def same_name_elsewhere(self, row: _Row, forms: NameForms, refused: set[int]) -> _Actor | None:
        """The actor of the same name of a compatible kind in other articles (one indexed query)."""
        found = self.db.execute(
            select(ActorEntityRow.id, ActorEntityRow.name, ActorEntityRow.kind, ActorRow.kind, func.count())
            .join(ActorEntityRow, ActorEntityRow.id == ActorRow.actor_id)
            .where(ActorRow.key == forms.key, ActorRow.article_id != self.article_id)
            .group_by(ActorEntityRow.id, ActorEntityRow.name, ActorEntityRow.kind, ActorRow.kind)
        )
        for actor_id, name, kind, row_kind, _ in sorted(found, key=lambda f: (-f[4], f[0])):
            actor = self.stored(actor_id, name, kind)
            if id(actor) in refused:
                continue
            if compatible(row.kind, row_kind, forms) and compatible(row.kind, actor.kind, forms):
                return actor
        return None

    def create(self, name: str, kind: str) -> _Actor:
        actor = _Actor(None, name[:256], kind)
        self.created.append(actor)
        return actor

    def may_register(self, key: str, target: _Actor) -> bool:
        """False when a split says ``key`` must never mean the target."""
        return not any(self.held.get(p) is target for p in self.corrections.partners([key]))

    def register(self, key: str, target: _Actor) -> None:
        self.held[key] = target
        self.new_names[key] = target

    def share(
        self, key: str, target: _Actor, row: _Row, forms: NameForms, aliases: Collection[str]
    ) -> _Actor:
        """Register a surname or acronym for the target; the target, or the actor it became.

        Held by a bare name's own actor ("Assad" seen before any full name), the full name takes it
        in (the bare name meant the one Assad known), unless the name is shared already. Held by
        another full name, the name becomes shared: an actor of its own, with the bare mentions.
        """
        holder = self.held.get(key)
        if holder is None:
            self.register(key, target)
            return target
        if holder is target or key in self.corrections.groups:
            return target  # the target's already, or a hand merge decides what it means
        if not is_full(holder.name, holder.kind):
            if SHARED_MARK + key in self.held or id(holder) in self.taken:
                return target
            if compatible(holder.kind, target.kind, forms) and self.bare_fits(holder, forms, aliases):
                return self.fold(holder, target)
            return target
        if not compatible(target.kind, holder.kind, forms):
            return target  # "Washington" the city: no person's surname, whoever else bears it
        own = self.insert(self.create(_surface(row.name, key), holder.kind))
        self.repoint(key, own)
        self.register(SHARED_MARK + key, own)
        if holder.id is not None:  # its bare mentions in other articles move to the shared name
            moved = [
                row_id
                for row_id, name, kind in self.db.execute(
                    select(ActorRow.id, ActorRow.name, ActorRow.kind).where(
                        ActorRow.actor_id == holder.id, ActorRow.article_id != self.article_id
                    )
                )
                if (shape := name_forms(name, kind)).bare and key in shape.exact
            ]
            if moved:
                self.db.execute(update(ACTOR_ROWS).where(ACTOR_ROWS.c.id.in_(moved)).values(actor_id=own.id))
        return target

    def bare_fits(self, bare: _Actor, forms: NameForms, aliases: Collection[str]) -> bool:
        """The checks of :meth:`surname_fits`, from the full name's side."""
        if forms.acronym or forms.surname or not forms.first:
            return True
        shape = name_forms(bare.name, bare.kind)
        if shape.surname and not shape.title and FIRST_MARK + shape.surname in self.held:
            return False
        same = titled(shape.title, shape.surname)
        return not same or bool(set(same) & set(aliases))

    def insert(self, actor: _Actor) -> _Actor:
        """Insert a new actor now (it is needed by id before the end)."""
        actor.id = self.db.execute(
            insert(ACTORS)
            .values(name=actor.name, kind=actor.kind, created_at=self.now)
            .returning(ACTORS.c.id)
        ).scalar_one()
        self.actors[actor.id] = actor
        return actor

    def repoint(self, key: str, actor: _Actor) -> None:
        if key in self.held and key not in self.new_names:
            self.db.execute(update(ACTOR_NAMES).where(ACTOR_NAMES.c.key == key).values(actor_id=actor.id))
        else:
            self.new_names[key] = actor
        self.held[key] = actor

    def fold(self, holder: _Actor, target: _Actor) -> _Actor:
        """One actor of two: the stored one is kept (the older, when both are), the other folded in."""
        keep, gone = (holder, target) if target.id is None and holder.id is not None else (target, holder)
        if gone.id is not None:
            if keep.id is None:
                self.insert(keep)
            unify(self.db, gone.id, keep.id)
            self.actors.pop(gone.id, None)
        for key, actor in list(self.held.items()):
            if actor is gone:
                self.held[key] = keep
        for key, actor in list(self.new_names.items()):
            if actor is gone:
                self.new_names[key] = keep
        for row_id, actor in list(self.links.items()):
            if actor is gone:
                self.links[row_id] = keep
        if id(gone) in self.taken:
            self.taken.add(id(keep))
        if gone in self.created:
            self.created.remove(gone)
        if not is_full(keep.name, keep.kind) and is_full(gone.name, gone.kind):
            keep.name, keep.renamed = gone.name, True
        return keep

    def force(self, key: str, target: _Actor) -> _Actor:
        """A merged name means the target; an actor it meant before is folded into the target."""
        holder = self.held.get(key)
        if holder is None:
            self.register(key, target)
            return target
        return target if holder is target else self.fold(holder, target)

    def finish(self) -> None:
        """Write what the article's linking decided: new actors, their links and names."""
        pending = [a for a in self.created if a.id is None]
        if pending:
            ids = self.db.scalars(
                INSERT_ACTORS,
                [{"name": a.name, "kind": a.kind, "created_at": self.now} for a in pending],
            ).all()
            for actor, actor_id in zip(pending, ids, strict=True):
                actor.id = actor_id
        renamed = [a for a in self.actors.values() if a.renamed]
        if renamed:
            self.db.execute(
                RENAME_ACTORS,
                [{"actor": a.id, "new_name": a.name} for a in renamed],
            )
        self.db.execute(
            LINK_ROWS,
            [{"row": row_id, "actor": actor.id} for row_id, actor in self.links.items()],
        )
        names = {key: actor.id for key, actor in self.new_names.items() if actor.id is not None}
        if not names:
            return
        if self.db.dialect.name != "postgresql":
            insert_names(self.db, names)  # SQLite serialises writers: every new name goes in
            return
        values = [{"key": key, "actor_id": names[key]} for key in sorted(names)]
        inserted = set(self.db.scalars(INSERT_NAMES_RETURNING, values))
        if len(inserted) < len(names):
            self.lost_races({key: names[key] for key in names.keys() - inserted})

    def lost_races(self, lost: dict[str, int]) -> None:
        """Another instance registered some of the same new names first (PostgreSQL): an actor
        created here that lost every name it tried joins the actor the first of them went to."""
        winners = {
            key: actor_id
            for key, actor_id in self.db.execute(
                select(ACTOR_NAMES.c.key, ACTOR_NAMES.c.actor_id).where(ACTOR_NAMES.c.key.in_(sorted(lost)))
            )
        }
        names = {key: actor.id for key, actor in self.new_names.items()}
        for actor in self.created:
            tried = [key for key, actor_id in names.items() if actor_id == actor.id]
            if tried and all(winners.get(key) not in (None, actor.id) for key in tried):
                unify(self.db, actor.id, winners[tried[0]])


def insert_names(db: Session | Connection, names: dict[str, int]) -> None:
    """Register names, in key order; a name another transaction registered first keeps its meaning."""
    if not names:
        return
    values = [{"key": key, "actor_id": names[key]} for key in sorted(names)]
    dialect = db.connection().dialect.name if isinstance(db, Session) else db.dialect.name
    db.execute(INSERT_NAMES.get(dialect, insert(ACTOR_NAMES)), values)


def unify(db: Session | Connection, source: int | None, target: int | None) -> None:
    """Fold actor ``source`` into ``target``: its rows and names, then the row itself."""
    if source is None or target is None or source == target:
        return
    db.execute(update(ACTOR_ROWS).where(ACTOR_ROWS.c.actor_id == source).values(actor_id=target))
    db.execute(update(ACTOR_NAMES).where(ACTOR_NAMES.c.actor_id == source).values(actor_id=target))
    db.execute(delete(ACTORS).where(ACTORS.c.id == source))


def link_actors(session: Session, article_id: int, *, now: datetime | None = None) -> None:
    """Give each actor row of the article an actor, creating it when none fits (module docstring).

    Called when a brief is written, after its actor rows and their alias rows are added, in the
    same transaction.
    """
    session.flush()
    rows: dict[int, _Row] = {}
    aliases: dict[int, list[str]] = {}
    for row_id, name, kind, rank, alias in session.connection().execute(
        ARTICLE_ROWS, {"article": article_id}
    ):
        rows.setdefault(row_id, _Row(row_id, name, kind, rank))
        if alias is not None:
            aliases.setdefault(row_id, []).append(alias)
    if not rows:
        return
    corrections = session.info.get(CORRECTIONS_CACHE)  # read once per session (relink_all's batches)
    if not isinstance(corrections, Corrections):
        corrections = session.info[CORRECTIONS_CACHE] = Corrections.load(session)
    linker = _Linker(session.connection(), article_id, now or datetime.now(UTC), corrections)
    forms = {
        row.id: name_forms(row.name, row.kind, tuple(sorted(aliases.get(row.id, ()))))
        for row in rows.values()
    }
    keys = {k for f in forms.values() for k in (*f.exact, *f.shared)}
    keys |= {SHARED_MARK + k for f in forms.values() for k in f.shared}
    keys |= {FIRST_MARK + k for f in forms.values() for k in (f.first, f.surname, *f.shared) if k}
    keys |= corrections.group(keys)
    keys |= corrections.partners(keys)
    linker.load(keys)
    for row in rows.values():
        linker.kinds[row.id] = row.kind
        cores = person_cores(row.name)
        if len([c for c in cores if c not in PARTICLES]) > 1 and not any(c.isdigit() for c in row.name):
            linker.namesakes.setdefault(_surname(cores), []).append(row.id)
    # Full names first: an article naming John Smith, Mary Smith and "Smith" shares the surname
    # before the bare name looks it up.
    for row in sorted(rows.values(), key=lambda r: (forms[r.id].bare, r.rank)):
        linker.link(row, forms[row.id], aliases.get(row.id, ()))
    linker.finish()


# -- the whole store ------------------------------------------------------------------------------


def relink_all(store: Store, progress: Callable[[int], None] | None = None) -> int:
    """Link every stored brief's actors again from nothing, corrections replayed; the number of
    articles linked. For stores briefed before actors were linked, and after a change of the rules;
    running it twice gives the same actors (their ids are new each time, their names are not)."""
    with store.sessions.begin() as session:
        session.execute(update(ActorRow).where(ActorRow.actor_id.is_not(None)).values(actor_id=None))
        session.execute(delete(ActorNameRow))
        session.execute(delete(ActorEntityRow))
    with store.sessions() as session:
        ids = list(session.scalars(select(ActorRow.article_id).distinct().order_by(ActorRow.article_id)))
    for first in range(0, len(ids), RELINK_BATCH):
        batch = ids[first : first + RELINK_BATCH]
        with store.sessions.begin() as session:
            for article_id in batch:
                link_actors(session, article_id, now=store.clock())
        for article_id in batch:
            if progress is not None:
                progress(article_id)
    with store.sessions.begin() as session:
        settle_names(session)
    return len(ids)


def count_linkable(store: Store) -> int:
    """Articles with actor rows: what :func:`relink_all` goes through."""
    with store.sessions() as session:
        return session.scalar(select(func.count(func.distinct(ActorRow.article_id)))) or 0


def count_unlinked(store: Store) -> int:
    """Articles with an actor linked to no actor: a store briefed before migration 0007, until
    ``briefbot db link-actors``."""
    with store.sessions() as session:
        unlinked = select(func.count(func.distinct(ActorRow.article_id))).where(ActorRow.actor_id.is_(None))
        return session.scalar(unlinked) or 0


def count_actors(store: Store) -> int:
    """Actors at least one stored article names."""
    with store.sessions() as session:
        return session.scalar(select(func.count(func.distinct(ActorRow.actor_id)))) or 0


def display_name(names: Counter[str], kind: str) -> str:
    """The full name most rows use, the longest of those equally used; a bare name when no full one."""
    return min(names, key=lambda n: (not is_full(n, kind), -names[n], -len(n), n))


def settle_names(session: Session, actor_ids: Collection[int] | None = None) -> None:
    """Each actor's display name and kind from its rows (most used full name, most used kind)."""
    db = session.connection()
    query = select(ACTOR_ROWS.c.actor_id, ACTOR_ROWS.c.name, ACTOR_ROWS.c.kind, func.count()).where(
        ACTOR_ROWS.c.actor_id.is_not(None)
    )
    if actor_ids is not None:
        if not actor_ids:
            return
        query = query.where(ACTOR_ROWS.c.actor_id.in_(sorted(actor_ids)))
    names: dict[int, Counter[str]] = {}
    kinds: dict[int, Counter[str]] = {}
    for actor_id, name, kind, count in db.execute(
        query.group_by(ACTOR_ROWS.c.actor_id, ACTOR_ROWS.c.name, ACTOR_ROWS.c.kind)
    ):
        names.setdefault(actor_id, Counter())[name] += count
        kinds.setdefault(actor_id, Counter())[kind] += count
    wanted = {}
    for actor_id, counts in names.items():
        kind = min(kinds[actor_id], key=lambda k: (-kinds[actor_id][k], k))
        wanted[actor_id] = (display_name(counts, kind), kind)
    ids = sorted(wanted)
    changed = []
    for first in range(0, len(ids), 500):
        for actor_id, name, kind in db.execute(
            select(ACTORS.c.id, ACTORS.c.name, ACTORS.c.kind).where(ACTORS.c.id.in_(ids[first : first + 500]))
        ):
            if (name, kind) != wanted[actor_id]:
                changed.append(
                    {"actor": actor_id, "new_name": wanted[actor_id][0], "new_kind": wanted[actor_id][1]}
                )
    if changed:
        db.execute(RENAME_ACTORS.values(kind=bindparam("new_kind")), changed)
    session.expire_all()  # ORM copies of the actors (merge, split) read the names again


# -- finding actors by name -----------------------------------------------------------------------


def _query_key(name: str) -> str:
    return actor_key(normalize_name(name) or name.strip())


def find_actor(session: Session, name: str) -> ActorEntityRow | None:
    """The actor a name means: a registered name, the same name's rows, or a display name."""
    key = _query_key(name)
    for kind in ("person", "organization"):
        for form in name_forms(normalize_name(name) or name, kind).exact:
            actor_id = session.scalar(select(ActorNameRow.actor_id).where(ActorNameRow.key == form))
            if actor_id is not None:
                return session.get(ActorEntityRow, actor_id)
    linked = session.execute(
        select(ActorRow.actor_id, func.count())
        .where(ActorRow.key == key, ActorRow.actor_id.is_not(None))
        .group_by(ActorRow.actor_id)
        .order_by(func.count().desc(), ActorRow.actor_id)
        .limit(1)
    ).first()
    if linked is not None:
        return session.get(ActorEntityRow, linked[0])
    return session.scalars(
        select(ActorEntityRow)
        .where(func.lower(ActorEntityRow.name) == key)
        .order_by(ActorEntityRow.id)
        .limit(1)
    ).first()


def _require(session: Session, name: str) -> ActorEntityRow:
    actor = find_actor(session, name)
    if actor is not None:
        return actor
    close = suggest(session, name, limit=SUGGESTIONS)  # the same as chat's `actor` suggests
    hint = f"; closest: {', '.join(close)}" if close else " (see: briefbot actors list)"
    raise UnknownActor(f"no actor named {name!r}{hint}")


# -- reading --------------------------------------------------------------------------------------


def _cased(key: str, names: Sequence[str]) -> str:
    """An alias key as the actor's names write it ("assad" -> "Assad"); else a guess at its case."""
    parts = key.split()
    for name in names:
        words = name.split()
        for start in range(len(words) - len(parts) + 1):
            if [w.lower() for w in words[start : start + len(parts)]] == parts:
                return " ".join(words[start : start + len(parts)])
        written = _written(name, key)
        if written is not None and written.lower() == key:
            return written
    if any(initials(name).lower() == key for name in names):
        return key.upper()
    return " ".join(p[:1].upper() + p[1:] for p in parts)


def _summaries(session: Session, actors: Sequence[tuple[int, str, str, int, int]]) -> list[ActorSummary]:
    ids = [a[0] for a in actors]
    row_names: dict[int | None, set[str]] = {}
    alias_keys: dict[int | None, set[str]] = {}
    if ids:
        for actor_id, name in session.execute(
            select(ActorRow.actor_id, ActorRow.name).where(ActorRow.actor_id.in_(ids)).distinct()
        ):
            row_names.setdefault(actor_id, set()).add(name)
        for actor_id, key in session.execute(
            select(ActorRow.actor_id, ActorAliasRow.key)
            .join(ActorAliasRow, ActorAliasRow.actor_id == ActorRow.id)
            .where(ActorRow.actor_id.in_(ids))
            .distinct()
        ):
            alias_keys.setdefault(actor_id, set()).add(key)
    summaries = []
    for actor_id, name, kind, articles, stories in actors:
        written = row_names.get(actor_id, set()) | {name}
        lowered = {w.lower() for w in written}
        extra = {_cased(k, sorted(written)) for k in alias_keys.get(actor_id, set()) if k not in lowered}
        aliases = sorted((written | extra) - {name}, key=lambda a: (a.lower(), a))
        summaries.append(ActorSummary(actor_id, name, kind, tuple(aliases), stories, articles))
    return summaries


def list_actors(store: Store, kind: str | None = None, limit: int = 50) -> list[ActorSummary]:
    """The actors named by the most articles (a kind alone, when given)."""
    articles = func.count(func.distinct(ActorRow.article_id))
    stories = func.count(func.distinct(ArticleRow.story_id))
    query = (
        select(ActorEntityRow.id, ActorEntityRow.name, ActorEntityRow.kind, articles, stories)
        .join(ActorRow, ActorRow.actor_id == ActorEntityRow.id)
        .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
        .group_by(ActorEntityRow.id, ActorEntityRow.name, ActorEntityRow.kind)
        .order_by(articles.desc(), ActorEntityRow.name, ActorEntityRow.id)
        .limit(limit)
    )
    if kind is not None:
        query = query.where(ActorEntityRow.kind == kind)
    with store.sessions() as session:
        rows = [(i, n, k, int(a), int(s)) for i, n, k, a, s in session.execute(query)]
        return _summaries(session, rows)


def _summary_of(session: Session, actor: ActorEntityRow) -> ActorSummary:
    articles, stories = session.execute(
        select(func.count(func.distinct(ActorRow.article_id)), func.count(func.distinct(ArticleRow.story_id)))
        .join(ArticleRow, ArticleRow.id == ActorRow.article_id)
        .where(ActorRow.actor_id == actor.id)
    ).one()
    return _summaries(session, [(actor.id, actor.name, actor.kind, int(articles), int(stories))])[0]


def show_actor(store: Store, name: str) -> ActorSummary:
    """The actor a name means; :class:`UnknownActor` (with the closest names) when none."""
    with store.sessions() as session:
        return _summary_of(session, _require(session, name))


# -- corrections by hand --------------------------------------------------------------------------


def _names_of(session: Session, actor_id: int) -> set[str]:
    """Every key meaning the actor: its registered names and its rows' names."""
    registered = set(session.scalars(select(ActorNameRow.key).where(ActorNameRow.actor_id == actor_id)))
    return registered | set(session.scalars(select(ActorRow.key).where(ActorRow.actor_id == actor_id)))


def plural(count: int, word: str, words: str = "") -> str:
    return f"{count} {word if count == 1 else words or word + 's'}"


def _record(session: Session, action: str, key: str, other: str, now: datetime) -> None:
    session.add(ActorCorrectionRow(action=action, key=key, other=other, created_at=now))


def merge(store: Store, a_name: str, b_name: str) -> str:
    """Make ``b_name``'s actor one with ``a_name``'s, now and whenever links are made; a line saying so."""
    with store.sessions.begin() as session:
        keep, fold = _require(session, a_name), _require(session, b_name)
        if keep.id == fold.id:
            raise CorrectionRefused(f"{a_name!r} and {b_name!r} are already one actor: {keep.name}")
        a_key, b_key = _query_key(a_name), _query_key(b_name)
        ours, theirs = _names_of(session, keep.id) | {a_key}, _names_of(session, fold.id) | {b_key}
        # A split between the two is undone by this merge (the later correction wins).
        session.execute(
            delete(ActorCorrectionRow).where(
                ActorCorrectionRow.action == "split",
                or_(
                    ActorCorrectionRow.key.in_(sorted(ours)) & ActorCorrectionRow.other.in_(sorted(theirs)),
                    ActorCorrectionRow.key.in_(sorted(theirs)) & ActorCorrectionRow.other.in_(sorted(ours)),
                ),
            )
        )
        _record(session, "merge", a_key, b_key, store.clock())
        folded = fold.name
        unify(session, fold.id, keep.id)
        insert_names(session, {k: keep.id for k in (a_key, b_key)})
        session.execute(
            update(ActorNameRow).where(ActorNameRow.key.in_([a_key, b_key])).values(actor_id=keep.id)
        )
        settle_names(session, [keep.id])
        summary = _summary_of(session, keep)
    counts = f"{plural(summary.articles, 'article')}, {plural(summary.stories, 'story', 'stories')}"
    return f"merged {folded!r} into {summary.name!r}: {counts}"


def split(store: Store, actor_name: str, alias: str) -> str:
    """Make ``alias`` never link to ``actor_name``'s actor, now and whenever links are made; the
    articles naming it alone get an actor of their own. A line saying what moved."""
    with store.sessions.begin() as session:
        actor = _require(session, actor_name)
        key, other = _query_key(actor_name), _query_key(alias)
        names = _names_of(session, actor.id)
        rows = list(session.scalars(select(ActorRow).where(ActorRow.actor_id == actor.id)))
        moving = [r for r in rows if other in name_forms(r.name, r.kind).exact]
        if other == key or other not in names | {k for r in moving for k in name_forms(r.name, r.kind).exact}:
            shown = ", ".join(sorted({r.name for r in rows} - {actor.name})[:8]) or "none"
            raise CorrectionRefused(
                f"{alias!r} is not another name of {actor.name!r} (its other names: {shown})"
            )
        if len(moving) == len(rows):
            raise CorrectionRefused(
                f"every article names {actor.name!r} as {alias!r}: nothing would stay; merge the other way"
            )
        corrections = Corrections.load(session)
        group = corrections.group([key]) | {key}
        session.execute(
            delete(ActorCorrectionRow).where(
                ActorCorrectionRow.action == "merge",
                or_(
                    (ActorCorrectionRow.key == other) & ActorCorrectionRow.other.in_(sorted(group)),
                    (ActorCorrectionRow.other == other) & ActorCorrectionRow.key.in_(sorted(group)),
                ),
            )
        )
        _record(session, "split", key, other, store.clock())
        kept = actor.name
        if not moving:
            session.execute(
                delete(ActorNameRow).where(ActorNameRow.key == other, ActorNameRow.actor_id == actor.id)
            )
            return f"{alias!r} no longer links to {kept!r} (no article names it alone)"
        moved_names = Counter(r.name for r in moving)
        own = ActorEntityRow(
            name=display_name(moved_names, moving[0].kind), kind=moving[0].kind, created_at=store.clock()
        )
        session.add(own)
        session.flush()
        for r in moving:
            r.actor_id = own.id
        keys = {k for r in moving for k in name_forms(r.name, r.kind).exact}
        session.execute(
            update(ActorNameRow)
            .where(ActorNameRow.key.in_(sorted(keys)), ActorNameRow.actor_id == actor.id)
            .values(actor_id=own.id)
        )
        session.flush()
        insert_names(session, {k: own.id for k in keys})
        settle_names(session, [actor.id, own.id])
        articles = len({r.article_id for r in moving})
        return f"{alias!r} split from {kept!r}: {plural(articles, 'article')} now under {own.name!r}"


__all__ = [
    "ActorSummary",
    "CorrectionRefused",
    "Corrections",
    "NameForms",
    "UnknownActor",
    "compatible",
    "count_actors",
    "count_linkable",
    "display_name",
    "find_actor",
    "link_actors",
    "list_actors",
    "merge",
    "name_forms",
    "plural",
    "relink_all",
    "settle_names",
    "show_actor",
    "split",
]
