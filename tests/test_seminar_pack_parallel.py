"""The seminar pack built in two forked processes (core.apart): the same files as in turn, a failing
or dying child leaves the previous pair in place, a child may not query the database, and the
sequential path where fork is off."""

from __future__ import annotations

import io
import os
import signal

import pytest
from pptx import Presentation

from parskats.core.apart import PartFailed, build_apart
from parskats.seminar import handout as handout_module
from parskats.seminar.models import Seminar
from parskats.seminar.pack import write_pack

from .seminar_support import approved_reports, make_seminar
from .test_seminar_handout import pages_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def seminar(world, methodologist, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    approved_reports(world)
    return make_seminar(world, methodologist)


def slide_kinds(data: bytes) -> list[str]:
    return [slide.name for slide in Presentation(io.BytesIO(data)).slides]


def test_built_apart_the_pack_is_the_one_built_in_turn(seminar, tmp_path):
    apart = write_pack(seminar, tmp_path / "apart", fork=True)
    in_turn = write_pack(seminar, tmp_path / "in-turn", fork=False)
    assert all(part.forked and part.max_rss > 0 and part.data for part in apart.parts.values())
    assert not any(part.forked for part in in_turn.parts.values())
    assert slide_kinds(apart.pptx.read_bytes()) == slide_kinds(in_turn.pptx.read_bytes())
    assert len(pages_of(apart.pdf.read_bytes())) == len(pages_of(in_turn.pdf.read_bytes())) > 3
    assert "Mana bibliotēka 2021. gadā" in pages_of(apart.pdf.read_bytes())[0]


def test_a_failing_child_leaves_the_previous_pair(seminar, tmp_path, monkeypatch):
    out = tmp_path / "pack"
    first = write_pack(seminar, out, fork=True)
    before = {first.pptx.name: first.pptx.read_bytes(), first.pdf.name: first.pdf.read_bytes()}
    Seminar.objects.filter(pk=seminar.pk).update(title="Otrā versija")
    seminar.refresh_from_db()

    def broken(_piece: object, _html: str) -> bytes:
        raise ValueError("no room on the page")

    monkeypatch.setattr(handout_module._Piece, "lay_out", broken)
    with pytest.raises(PartFailed) as failed:
        write_pack(seminar, out, fork=True)
    assert failed.value.name.startswith("pdf-") and "ValueError: no room on the page" in failed.value.reason
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_child_killed_by_a_signal_fails_the_whole_build():
    def killed() -> bytes:
        os.kill(os.getpid(), signal.SIGKILL)
        return b""

    with pytest.raises(PartFailed, match="signal 9"):
        build_apart({"ok": lambda: b"fine", "killed": killed}, fork=True)


def test_a_child_may_not_query_the_database(seminar):
    def queries() -> bytes:
        return Seminar.objects.get(pk=seminar.pk).title.encode()

    with pytest.raises(PartFailed, match="may not use the parent's database connection"):
        build_apart({"ok": lambda: b"fine", "query": queries}, fork=True)
    assert Seminar.objects.filter(pk=seminar.pk).exists()  # the parent's connection still works


def test_without_fork_the_parts_are_built_in_turn_here(settings):
    settings.DOCUMENTS_PARALLEL = False
    parent = os.getpid()
    parts = build_apart({"a": lambda: str(os.getpid()).encode(), "b": lambda: b"b"})
    assert parts["a"].data == str(parent).encode() and not parts["a"].forked and parts["b"].data == b"b"
    settings.DOCUMENTS_PARALLEL = True
    parts = build_apart({"a": lambda: str(os.getpid()).encode(), "b": lambda: b"b"})
    assert parts["a"].data != str(parent).encode() and parts["a"].forked


def test_a_request_thread_builds_in_turn(settings):
    """Under make run the inline jobs run in the development server's threads: no fork there."""
    import threading

    settings.DOCUMENTS_PARALLEL = True
    found: dict[str, bool] = {}
    thread = threading.Thread(
        target=lambda: found.update(a=build_apart({"a": lambda: b"a", "b": lambda: b"b"})["a"].forked)
    )
    thread.start()
    thread.join()
    assert found == {"a": False}


def test_a_piece_failing_after_the_others_answer_fails_the_build(seminar, tmp_path, monkeypatch):
    """The handout's pieces fail in their second step (after the parent has settled their pages)."""

    def broken(_document: object, _answer: object) -> bytes:
        raise ValueError("no ink")

    monkeypatch.setattr(handout_module, "_write", broken)
    with pytest.raises(PartFailed) as failed:
        write_pack(seminar, tmp_path / "pack", fork=True)
    assert failed.value.name.startswith("pdf-") and "ValueError: no ink" in failed.value.reason
    assert not (tmp_path / "pack").exists() or not list((tmp_path / "pack").glob("*.pdf"))
