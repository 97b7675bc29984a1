"""What the loopback plex.tv knows: accounts, servers, shares and sign-in PINs, and its switches."""

import itertools
import secrets
import string
import threading
import time
from dataclasses import dataclass, field

from simulators.plex_server_state import DEFAULT_VERSION, new_machine_identifier

_TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


def _token() -> str:
    """Return a token shaped like Plex's: 20 URL-safe characters."""
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(20))


@dataclass
class Account:
    """A plex.tv account; a managed Plex Home user has no credentials to sign in with."""

    id: int
    uuid: str
    username: str
    email: str
    thumb: str
    token: str
    home_managed: bool = False
    # The account whose Plex Home this one belongs to (managed users always belong to one).
    home_owner_id: int | None = None
    joined_at: int = 0


@dataclass
class Share:
    """One server shared with one account (pending until the friend accepts the invite)."""

    id: int
    machine_identifier: str
    account_id: int
    access_token: str
    pending: bool = False
    all_libraries: bool = True
    num_libraries: int | None = None
    invited_at: int = 0


@dataclass(eq=False)
class Server:
    """A Plex Media Server registered to an owner's account.

    ``connections`` may hold URIs or dicts with any of uri/protocol/address/port/local/relay/IPv6;
    they are completed when answered. ``down``, ``slow_seconds``, ``garbage`` and
    ``status_override`` are the switches of the server itself, not of plex.tv.
    """

    machine_identifier: str
    name: str
    version: str
    owner_id: int
    access_token: str
    connections: list = field(default_factory=list)
    id: int = 0
    created_at: int = 0
    last_seen_at: int = 0
    library_count: int = 2
    presence: bool = True
    public_address: str = "127.0.0.1"
    platform: str = "Linux"
    platform_version: str = "6.1.0"
    claimed: bool = True
    updated_at: int = 0
    down: bool = False
    slow_seconds: float = 0.0
    garbage: bool = False
    status_override: int | None = None
    state: "PlexTvState | None" = field(default=None, repr=False)
    # A simulators.plex_server.PlexServerState whose libraries this server serves.
    library: object | None = field(default=None, repr=False)

    @property
    def owner(self) -> Account | None:
        return self.state.accounts.get(self.owner_id) if self.state else None

    @property
    def my_plex_username(self) -> str:
        """Return what the server shows as its signed-in plex.tv account (the owner's email)."""
        owner = self.owner
        return owner.email if owner else ""

    def accepts(self, token: str | None) -> bool:
        """Say whether the server lets this token in: its own, its owner's, or a friend's share."""
        if not token:
            return False
        if token == self.access_token:
            return True
        owner = self.owner
        if owner is not None and token == owner.token:
            return True
        if self.state is None:
            return False
        return any(
            share.access_token == token and not share.pending
            for share in self.state.shares_of(self)
        )

    def set_connections(self, connections: list) -> None:
        """Replace the addresses plex.tv reports for this server."""
        self.connections = list(connections)


@dataclass
class Pin:
    """A sign-in PIN as plex.tv keeps it."""

    id: int
    code: str
    client_identifier: str
    product: str
    created_at: float
    expires_at: float
    auth_token: str | None = None
    account_id: int | None = None

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at


class PlexTvState:
    """Everything the simulated plex.tv knows, plus its fault switches. Safe across threads."""

    def __init__(self) -> None:
        self.accounts: dict[int, Account] = {}
        self.servers: dict[str, Server] = {}
        self.shares: dict[tuple[str, int], Share] = {}
        self.pins: dict[int, Pin] = {}
        self.pin_lifetime_seconds: float = 900
        self.down = False
        self.slow_seconds = 0.0
        self.garbage = False
        self.status_override: int | None = None
        # plex.tv's own identifier on the myPlex containers it answers (not any server's).
        self.myplex_identifier = new_machine_identifier()
        self.lock = threading.RLock()
        self._account_ids = itertools.count(21_000_001)
        self._server_ids = itertools.count(9_000_001)
        self._share_ids = itertools.count(900_000_001)
        self._pin_ids = itertools.count(308_000_001 + secrets.randbelow(1_000_000))

    # -- set-up -------------------------------------------------------------------------------

    def add_account(
        self,
        username: str,
        email: str | None = None,
        *,
        home_managed: bool = False,
        home: Account | None = None,
        thumb: str | None = None,
    ) -> Account:
        """Create an account; ``home`` puts it in that account's Plex Home."""
        with self.lock:
            uuid = secrets.token_hex(8)
            account = Account(
                id=next(self._account_ids),
                uuid=uuid,
                username=username,
                # Managed users have no email of their own.
                email=email
                if email is not None
                else ("" if home_managed else f"{username}@example.com"),
                thumb=thumb or f"https://plex.tv/users/{uuid}/avatar?c={int(time.time())}",
                token=_token(),
                home_managed=home_managed,
                home_owner_id=home.id if home else None,
                joined_at=int(time.time()) - 400 * 86400,
            )
            self.accounts[account.id] = account
            return account

    def add_server(
        self,
        owner: Account,
        name: str,
        connections: list | None = None,
        *,
        version: str = DEFAULT_VERSION,
        machine_identifier: str | None = None,
    ) -> Server:
        """Register a server to ``owner``."""
        with self.lock:
            now = int(time.time())
            server = Server(
                machine_identifier=machine_identifier or new_machine_identifier(),
                name=name,
                version=version,
                owner_id=owner.id,
                access_token=_token(),
                connections=list(connections or []),
                id=next(self._server_ids),
                created_at=now - 200 * 86400,
                last_seen_at=now,
                updated_at=now,
                state=self,
            )
            self.servers[server.machine_identifier] = server
            return server

    def share(
        self,
        server: Server,
        account: Account,
        *,
        pending: bool = False,
        all_libraries: bool = True,
        num_libraries: int | None = None,
    ) -> Share:
        """Share ``server`` with ``account``; it gets its own token for that server."""
        with self.lock:
            key = (server.machine_identifier, account.id)
            existing = self.shares.get(key)
            share = Share(
                id=existing.id if existing else next(self._share_ids),
                machine_identifier=server.machine_identifier,
                account_id=account.id,
                access_token=existing.access_token if existing else _token(),
                pending=pending,
                all_libraries=all_libraries,
                num_libraries=num_libraries,
                invited_at=int(time.time()),
            )
            self.shares[key] = share
            return share

    def unshare(self, server: Server, account: Account) -> None:
        """Stop sharing ``server`` with ``account``; its token for the server stops working."""
        with self.lock:
            self.shares.pop((server.machine_identifier, account.id), None)

    def shares_of(self, server: Server) -> list[Share]:
        with self.lock:
            return [
                s for s in self.shares.values() if s.machine_identifier == server.machine_identifier
            ]

    # -- sign-in ------------------------------------------------------------------------------

    def create_pin(self, client_identifier: str, product: str = "", strong: bool = False) -> Pin:
        with self.lock:
            now = time.time()
            if strong:
                code = "".join(
                    secrets.choice(string.ascii_lowercase + string.digits) for _ in range(25)
                )
            else:
                code = "".join(
                    secrets.choice(string.ascii_uppercase + string.digits) for _ in range(4)
                )
            pin = Pin(
                id=next(self._pin_ids),
                code=code,
                client_identifier=client_identifier,
                product=product,
                created_at=now,
                expires_at=now + self.pin_lifetime_seconds,
            )
            self.pins[pin.id] = pin
            return pin

    def approve_pin(self, pin_id: int, account: Account) -> Pin:
        """Do what a person does on app.plex.tv: approve the PIN as ``account``.

        Raises KeyError for an unknown or expired PIN, PermissionError for a managed user.
        """
        with self.lock:
            pin = self.pins.get(pin_id)
            if pin is None or pin.expired:
                raise KeyError(pin_id)
            if account.home_managed:
                raise PermissionError(f"{account.username} is a managed user and cannot sign in")
            pin.auth_token = account.token
            pin.account_id = account.id
            return pin

    def approve_code(self, code: str, account: Account) -> Pin:
        """Approve the live PIN with this code as ``account`` (see ``approve_pin``)."""
        with self.lock:
            pin = next((p for p in self.pins.values() if p.code == code and not p.expired), None)
            if pin is None:
                raise KeyError(code)
            return self.approve_pin(pin.id, account)

    def expire_pin(self, pin_id: int) -> None:
        """Make a PIN expire now."""
        with self.lock:
            self.pins[pin_id].expires_at = time.time()

    # -- look-ups -----------------------------------------------------------------------------

    def account_by_token(self, token: str | None) -> Account | None:
        if not token:
            return None
        with self.lock:
            return next((a for a in self.accounts.values() if a.token == token), None)

    def account_by_username(self, username: str) -> Account | None:
        with self.lock:
            return next((a for a in self.accounts.values() if a.username == username), None)

    def home_members(self, account: Account) -> list[Account]:
        """Return the accounts of the Plex Home ``account`` is in, its admin first; [] if none."""
        with self.lock:
            admin_id = account.home_owner_id or account.id
            members = [a for a in self.accounts.values() if a.home_owner_id == admin_id]
            if not members:
                return []
            return [self.accounts[admin_id], *members]
