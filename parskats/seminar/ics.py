"""The seminar as an iCalendar event (RFC 5545), built with the icalendar library."""

from __future__ import annotations

import datetime as dt
from email.utils import parseaddr

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from .agenda import RIGA, timed
from .models import Seminar


def seminar_ics(seminar: Seminar, agenda_url: str = "", organiser_email: str = "") -> bytes:
    rows = timed(seminar)
    start = seminar.starts_at.astimezone(RIGA)
    end = rows[-1].end if rows else start + dt.timedelta(hours=2)
    calendar = Calendar()
    calendar.add("prodid", "-//Pārskats//Seminārs//LV")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{seminar.uid}@parskats")
    event.add("sequence", seminar.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", seminar.title)
    if seminar.place:
        event.add("location", seminar.place)
    elif seminar.meeting_url:
        event.add("location", seminar.meeting_url)
    if seminar.meeting_url:
        event.add("url", seminar.meeting_url)
    lines = [seminar.meeting_url] if seminar.meeting_url else []
    lines += [f"{row.start:%H:%M}–{row.end:%H:%M} {row.item.title}" for row in rows]
    if agenda_url:
        lines.append(agenda_url)
    event.add("description", "\n".join(lines))
    _name, address = parseaddr(organiser_email)  # "Pārskats <parskats@example.org>" → the address
    if address:
        organiser = vCalAddress(f"mailto:{address}")
        organiser.params["cn"] = vText(seminar.network.name)
        event["organizer"] = organiser
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
