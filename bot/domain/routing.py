"""Who receives a ticket: estate and building → grid → grid worker, as data from config.yaml."""
from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Community, Config, Estate, Grid, Person


@dataclass(frozen=True)
class Route:
    """Where a ticket goes and why."""

    recipient: Person
    community: Community | None
    estate: Estate | None
    grid: Grid | None
    reason: str  # "grid" | "no_building" | "unknown_building" | "no_estate"


class Directory:
    """The communities, estates, grids and staff of config.yaml, indexed for lookups."""

    def __init__(self, config: Config):
        self.config = config
        self.estates: dict[str, Estate] = {}
        self.community_of: dict[str, Community] = {}
        self.grid_of: dict[tuple[str, str], Grid] = {}
        self.grids: dict[str, Grid] = {}
        self.spot_of: dict[tuple[str, str], str] = {}  # (estate, a name or alias of a spot): the spot's name
        for community in config.communities:
            for estate in community.estates:
                self.estates[estate.id] = estate
                self.community_of[estate.id] = community
                for grid in estate.grids:
                    self.grids[grid.id] = grid
                    for building in grid.buildings:
                        self.grid_of[(estate.id, building)] = grid
                # A spot (大门口) is kept where a building would be, and routed to the grid that covers it.
                for spot in estate.spots:
                    self.grid_of[(estate.id, spot.name)] = self.grids[spot.grid]
                    for name in (spot.name, *spot.aliases):
                        self.spot_of[(estate.id, name)] = spot.name
        # Longest names first, so 幸福苑小区 wins over 幸福苑.
        self._names = sorted(((name, estate.id) for estate in self.estates.values()
                              for name in [estate.name, *estate.aliases]), key=lambda item: -len(item[0]))

    @property
    def only_estate(self) -> Estate | None:
        """The estate, when the account serves exactly one."""
        return next(iter(self.estates.values())) if len(self.estates) == 1 else None

    def find_estate(self, text: str) -> Estate | None:
        """The estate a message names, by name or alias."""
        for name, estate_id in self._names:
            if name in text:
                return self.estates[estate_id]
        return None

    def estate_of(self, text: str) -> Estate | None:
        """The estate a message names, else the one the account serves (None: several, and none named)."""
        return self.find_estate(text) or self.only_estate

    def fallback(self, estate_id: str | None) -> Person:
        """The secretary of the estate's community, else the duty officer, else the first secretary."""
        if estate_id in self.community_of:
            return self.community_of[estate_id].secretary
        if self.config.duty:
            return self.config.duty
        return self.config.communities[0].secretary

    def route(self, estate_id: str | None, building: str | None) -> Route:
        """Pick the recipient for a ticket; a ticket with nobody to receive it goes to the secretary."""
        estate = self.estates.get(estate_id) if estate_id else None
        community = self.community_of.get(estate_id) if estate_id else None
        if estate is None:
            return Route(self.fallback(None), None, None, None, "no_estate")
        if not building:
            return Route(self.fallback(estate.id), community, estate, None, "no_building")
        grid = self.grid_of.get((estate.id, building))
        if grid is None:
            return Route(self.fallback(estate.id), community, estate, None, "unknown_building")
        return Route(grid.worker, community, estate, grid, "grid")

    def place(self, estate_id: str | None, building: str | None, unit: str | None = None,
              room: str | None = None) -> str:
        """幸福苑3号楼2单元501室, from what is known (the estate's name only when there are several)."""
        estate = self.estates.get(estate_id) if estate_id else None
        parts = [estate.name if estate and not self.only_estate else ""]
        if building and (estate_id, building) in self.spot_of:
            parts.append(building)  # 大门口: a spot, not a building
        elif building:
            parts.append(f"{building}号楼" if building.isdigit() else f"{building}座")
        if unit:
            parts.append(f"{unit}单元")
        if room:
            parts.append(f"{room}室")
        return "".join(parts) or "位置待确认"

    def find_spot(self, estate_id: str | None, label: str | None, text: str = "") -> str | None:
        """The estate's configured spot that the reader's label (nlp: location.spot) or the words name; None."""
        if estate_id is None:
            return None
        if label and (estate_id, label) in self.spot_of:
            return self.spot_of[(estate_id, label)]
        estate = self.estates.get(estate_id)
        for spot in estate.spots if estate else ():
            if any(name in text for name in (spot.name, *spot.aliases)):
                return spot.name
        return None

    def knows_place(self, estate_id: str, building: str) -> bool:
        """A building of the estate, or one of its spots."""
        return self.knows_building(estate_id, building) or (estate_id, building) in self.spot_of

    def knows_building(self, estate_id: str, building: str) -> bool:
        estate = self.estates.get(estate_id)
        return bool(estate and building in estate.buildings)
