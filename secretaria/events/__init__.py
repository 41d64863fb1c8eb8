"""Domain events: what happened, published on commit, heard by the apps that care.

A service that changes something *publishes* a typed event (`publish(AppointmentBooked(...))`);
apps *subscribe* in their `AppConfig.ready()` (`subscribe(AppointmentBooked, handler)`). Calls
are for what must happen; events are for what happened. The events themselves live here, in
the platform layer, so any app may subscribe to any other's events without importing it.
"""

from secretaria.events.bus import DomainEvent, publish, subscribe, subscribers_of
from secretaria.events.catalogue import *  # noqa: F403 - the event types are the package's vocabulary
from secretaria.events.catalogue import __all__ as _catalogue

__all__ = ["DomainEvent", "publish", "subscribe", "subscribers_of", *_catalogue]
