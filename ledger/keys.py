"""Personal data at rest: one AES-256-GCM data key per subject, wrapped by a master key.

IE-19.9 / IE-19.10 / IE-9.1: personal fields (``ledger.events.Personal``) are
stored only encrypted, under the data key of their *subject* (the stream id,
e.g. ``member:M-0042``). Data keys live in the store's ``ledger_keys`` table,
each wrapped (AES-GCM) by the master key; erasing a subject destroys its key
(crypto-shredding), so its personal fields can never be read again while every
fact, date and amount stays, and the hash chain (over the ciphertext) still
verifies.

The master key (32 bytes, base64 or hex) comes from ``LEDGER_MASTER_KEY``, or
the file named by ``LEDGER_MASTER_KEY_FILE``; otherwise, for an embedded SQLite
store only, from ``<db file>.key`` created by ``ledger init`` (a demo default:
keep production keys elsewhere). A PostgreSQL store needs one of the two
variables to write personal data. A reader without the master key, or without
access to the key table (the auditor role), sees personal fields as
*withheld*; everything else reads normally.

Each sealed field is bound (AES-GCM associated data) to its subject, its event
id and its field name, so ciphertext moved to another fact does not decrypt.

Whether a store encrypts is fixed when it is created (``ledger.store.SETTINGS``;
only ``bench/integrity.py`` makes stores without encryption, to measure its
cost); no environment variable turns it off later.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ledger.errors import BadInput, Forbidden, Refused, StoreError

SCHEME = "aes-256-gcm/v1"
ERASED: dict[str, Any] = {"erased": True}
WITHHELD: dict[str, Any] = {"withheld": True}


def parse_key(text: str | bytes, where: str) -> bytes:
    """32 key bytes from base64 or hex text (or 32 raw bytes from a file)."""
    if isinstance(text, bytes):
        if len(text) == 32:
            return text
        text = text.decode("ascii", errors="replace")
    t = text.strip()
    for decode in (bytes.fromhex, lambda s: base64.b64decode(s, validate=True),
                   lambda s: base64.urlsafe_b64decode(s.encode())):
        try:
            key = decode(t)
        except (ValueError, binascii.Error):
            continue
        if len(key) == 32:
            return key
    raise BadInput(f"{where} must hold a 32-byte key in base64 or hex (e.g. from `openssl rand -base64 32`).",
                   f"{where} には base64 または16進の32バイトの鍵が必要です（例: `openssl rand -base64 32`）。",
                   field="master_key")


def new_key_text() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def master_key(sqlite_path: str | None, *, create: bool) -> tuple[bytes | None, str]:
    """The master key and where it came from (for messages)."""
    env = os.environ.get("LEDGER_MASTER_KEY")
    if env:
        return parse_key(env, "LEDGER_MASTER_KEY"), "LEDGER_MASTER_KEY"
    path = os.environ.get("LEDGER_MASTER_KEY_FILE")
    if not path and sqlite_path:
        path = sqlite_path + ".key"
        if create and not os.path.exists(path):
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process made it first; read theirs
            else:
                with os.fdopen(fd, "w") as f:
                    f.write(new_key_text() + "\n")
    if not path:
        return None, "none"
    try:
        with open(path, "rb") as f:
            return parse_key(f.read(), f"The key file {path}"), path
    except FileNotFoundError:
        if os.environ.get("LEDGER_MASTER_KEY_FILE"):
            raise StoreError(f"LEDGER_MASTER_KEY_FILE names {path}, which does not exist.",
                             f"LEDGER_MASTER_KEY_FILE が指す {path} がありません。") from None
        return None, "none"


def check_value(master: bytes) -> str:
    """What ``ledger_meta`` keeps to recognise the master key (not the key itself)."""
    return hmac.new(master, b"ledger-master-key-check/v1", hashlib.sha256).hexdigest()


class Keyring:
    """Seals and opens personal fields; one cached data key per subject.

    ``load(subject)`` returns the stored wrapped key (base64), ``None`` for an
    erased subject, or raises ``KeyError`` if the subject has none yet. A new
    subject's key waits in ``pending`` and is stored by the recorder in the
    same transaction as the first facts sealed with it; ``settle`` then keeps
    it, or forgets it if that append failed (another writer's key may have won).
    """

    def __init__(self, load: Callable[[str], str | None], master: bytes | None, source: str, *,
                 readable: bool = True) -> None:
        self._load = load
        self.master, self.source, self.readable = master, source, readable
        self._keys: dict[str, AESGCM | None] = {}
        self._wrapped: dict[str, str | None] = {}  # read ahead by a list, unwrapped only when used
        self.pending: dict[str, str] = {}

    # --- data keys -------------------------------------------------------------------

    def _wrap_aad(self, subject: str) -> bytes:
        return b"ledger-key/v1|" + subject.encode()

    def _unwrap(self, subject: str, wrapped: str) -> AESGCM:
        assert self.master is not None
        raw = base64.b64decode(wrapped)
        try:
            return AESGCM(AESGCM(self.master).decrypt(raw[:12], raw[12:], self._wrap_aad(subject)))
        except InvalidTag:
            raise StoreError(
                f"The data key of {subject} does not open with the master key from {self.source}: "
                "the master key is wrong or the key table was altered.",
                f"{subject} のデータ鍵が {self.source} のマスター鍵で開けません。マスター鍵の誤りか、鍵表の改ざんです。",
            ) from None

    def _key(self, subject: str, create: bool) -> AESGCM | None:
        if subject in self._keys:
            return self._keys[subject]
        try:
            wrapped = self._wrapped.pop(subject) if subject in self._wrapped else self._load(subject)
        except KeyError:
            if not create:
                raise
            data_key = AESGCM.generate_key(bit_length=256)
            nonce = os.urandom(12)
            assert self.master is not None
            self.pending[subject] = base64.b64encode(
                nonce + AESGCM(self.master).encrypt(nonce, data_key, self._wrap_aad(subject))).decode()
            self._keys[subject] = AESGCM(data_key)
            return self._keys[subject]
        key = None if wrapped is None else self._unwrap(subject, wrapped)
        self._keys[subject] = key
        return key

    def settle(self, stored: bool) -> None:
        """After an append: its pending keys were stored with it, or are forgotten."""
        if not stored:
            for subject in self.pending:
                self._keys.pop(subject, None)
        self.pending.clear()

    def forget(self, subject: str) -> None:
        self._keys.pop(subject, None)
        self._wrapped.pop(subject, None)

    def read_ahead(self, wrapped: dict[str, str | None]) -> None:
        """Stored keys a list will need (subject -> wrapped key, ``None`` if erased), read in one
        query instead of one per stream; a key is unwrapped only if a sealed field asks for it."""
        self._wrapped.update((s, w) for s, w in wrapped.items() if s not in self._keys and s not in self.pending)

    # --- fields ----------------------------------------------------------------------

    def seal(self, subject: str, aad: str, payload: dict) -> dict:
        if self.master is None:
            raise Forbidden(
                "No master key is configured, so personal data cannot be stored: set LEDGER_MASTER_KEY or "
                "LEDGER_MASTER_KEY_FILE (the key this ledger was initialised with).",
                "マスター鍵が設定されていないため個人情報を記録できません。LEDGER_MASTER_KEY または "
                "LEDGER_MASTER_KEY_FILE を設定してください。",
            )
        if not self.readable:
            raise Forbidden("This connection may not use the key table, so it cannot store personal data "
                            "(connect as a writer role).",
                            "この接続は鍵表を使えないため個人情報を記録できません（書き込みロールで接続してください）。")
        key = self._key(subject, create=True)
        if key is None:
            raise Refused(
                f"The personal data of {subject} was erased (IE-19.10): no new personal data can be recorded for it.",
                f"{subject} の個人情報は消去済みです（IE-19.10）。新たに個人情報を記録できません。",
                rule="IE-19.10", code="erased",
            )
        nonce = os.urandom(12)
        plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        ct = key.encrypt(nonce, plain, aad.encode())
        return {"enc": SCHEME, "nonce": base64.b64encode(nonce).decode(), "ct": base64.b64encode(ct).decode()}

    def open(self, subject: str, aad: str, envelope: dict) -> dict:
        if envelope.get("enc") != SCHEME:
            raise StoreError(f"A personal field of {subject} uses an unknown scheme {envelope.get('enc')!r}.",
                             f"{subject} の個人情報が未知の方式 {envelope.get('enc')!r} で保存されています。")
        if self.master is None or not self.readable:
            return dict(WITHHELD)
        try:
            key = self._key(subject, create=False)
        except KeyError:
            raise StoreError(f"The data key of {subject} is missing from the key table: it was deleted behind the "
                             "ledger's back.", f"{subject} のデータ鍵が鍵表にありません（不正に削除されました）。") from None
        if key is None:
            return dict(ERASED)
        try:
            plain = key.decrypt(base64.b64decode(envelope["nonce"]), base64.b64decode(envelope["ct"]), aad.encode())
        except (InvalidTag, KeyError, binascii.Error, ValueError):
            raise StoreError(f"A personal field of {aad.split('|')[-2]} does not decrypt: it was altered or moved "
                             "from another fact.", f"{aad.split('|')[-2]} の個人情報を復号できません（改ざんまたは移動）。"
                             ) from None
        return json.loads(plain)


def field_aad(event_id: str, field: str) -> str:
    return f"ledger-personal/v1|{event_id}|{field}"
