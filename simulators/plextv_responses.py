"""How the loopback plex.tv answers: JSON or XML PINs, users, resources and friends, and errors."""

import json
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from urllib.parse import urlsplit

from flask import Response, request

from simulators.faults import html_error, phrase
from simulators.plextv_state import Account, Pin, PlexTvState

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "application/xml; charset=utf-8"
# Where the simulated requests come from: the shape plex.tv reports, with a made-up place.
LOCATION = {
    "code": "NL",
    "european_union_member": True,
    "continent_code": "EU",
    "country": "The Netherlands",
    "city": "Breda",
    "time_zone": "Europe/Amsterdam",
    "postal_code": "4814",
    "in_privacy_restricted_country": True,
    "in_privacy_restricted_region": True,
    "subdivisions": "North Brabant",
    "coordinates": "51.5869, 4.7471",
}


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def normalized_connection(connection) -> dict:
    """Complete a connection given as a URI or a partial dict into plex.tv's full shape."""
    data = {"uri": connection} if isinstance(connection, str) else dict(connection)
    parts = urlsplit(data.get("uri", ""))
    protocol = data.get("protocol") or parts.scheme or "http"
    address = data.get("address") or parts.hostname or "127.0.0.1"
    port = data.get("port") or parts.port or (443 if protocol == "https" else 32400)
    uri = data.get("uri") or f"{protocol}://{address}:{port}"
    return {
        "protocol": protocol,
        "address": address,
        "port": int(port),
        "uri": uri,
        "local": bool(data.get("local", True)),
        "relay": bool(data.get("relay", False)),
        "IPv6": bool(data.get("IPv6", ":" in address)),
    }


def wants_json() -> bool:
    return "application/json" in request.headers.get("Accept", "")


def header(name: str) -> str | None:
    """Read an X-Plex-* value from the headers or, as plex.tv also allows, the query string."""
    return request.headers.get(name) or request.args.get(name)


def _xml_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def xml_element(tag: str, attrs: dict, *children: ET.Element) -> ET.Element:
    element = ET.Element(tag, {k: _xml_value(v) for k, v in attrs.items()})
    element.extend(children)
    return element


def xml_response(root: ET.Element, status: int = 200) -> Response:
    ET.indent(root)
    body = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    return Response(body + "\n", status, content_type=XML_TYPE)


def json_response(data, status: int = 200) -> Response:
    return Response(json.dumps(data), status, content_type=JSON_TYPE)


def error(status: int, code: int | None, message: str, *, with_status: bool = True) -> Response:
    """Answer plex.tv's error shape: ``{"errors": [{"code", "message", "status"}]}`` or its XML."""
    item = {"code": code} if code is not None else {}
    item["message"] = message
    if with_status:
        item["status"] = status
    if wants_json():
        return json_response({"errors": [item]}, status)
    return xml_response(xml_element("errors", {}, xml_element("error", item)), status)


def forced_status(status: int) -> Response:
    if status == 503:
        # What the front of plex.tv answers when the service behind it is away.
        return html_error(503)
    return error(status, None, phrase(status))


def _pin_data(pin: Pin) -> dict:
    return {
        "id": pin.id,
        "code": pin.code,
        "product": pin.product,
        "trusted": False,
        "qr": f"https://plex.tv/api/v2/pins/qr/{pin.code}",
        "clientIdentifier": pin.client_identifier,
        "location": dict(LOCATION),
        "expiresIn": max(0, int(pin.expires_at - time.time())),
        "createdAt": _iso(pin.created_at),
        "expiresAt": _iso(pin.expires_at),
        "authToken": pin.auth_token,
        "newRegistration": None,
    }


def pin_response(pin: Pin, status: int) -> Response:
    data = _pin_data(pin)
    if wants_json():
        return json_response(data, status)
    location = data.pop("location")
    return xml_response(xml_element("pin", data, xml_element("location", location)), status)


def _user_data(state: PlexTvState, account: Account) -> dict:
    members = state.home_members(account)
    return {
        "id": account.id,
        "uuid": account.uuid,
        "username": "" if account.home_managed else account.username,
        "title": account.username,
        "email": account.email,
        "friendlyName": account.username,
        "locale": None,
        "confirmed": not account.home_managed,
        "joinedAt": account.joined_at,
        "emailOnlyAuth": False,
        "hasPassword": not account.home_managed,
        "protected": False,
        "thumb": account.thumb,
        "authToken": account.token,
        "mailingListStatus": "unsubscribed",
        "mailingListActive": False,
        "scrobbleTypes": "",
        "country": "NL",
        "subscriptionDescription": None,
        "restricted": account.home_managed,
        "anonymous": None,
        "home": bool(members),
        "guest": False,
        "homeSize": len(members) or 1,
        "homeAdmin": bool(members) and members[0].id == account.id,
        "maxHomeSize": 15,
        "rememberExpiresAt": int(time.time()) + 14 * 86400,
        "adsConsent": None,
        "adsConsentSetAt": None,
        "adsConsentReminderAt": None,
        "experimentalFeatures": False,
        "twoFactorEnabled": False,
        "backupCodesCreated": False,
        "attributionPartner": None,
    }


_PROFILE = {
    "autoSelectAudio": True,
    "defaultAudioLanguage": None,
    "defaultSubtitleLanguage": None,
    "autoSelectSubtitle": 0,
    "defaultSubtitleAccessibility": 0,
    "defaultSubtitleForced": 0,
    "watchedIndicator": 1,
    "mediaReviewsVisibility": 0,
}


def user_response(state: PlexTvState, account: Account) -> Response:
    data = _user_data(state, account)
    if wants_json():
        data.update(
            entitlements=[],
            profile=dict(_PROFILE),
            roles=[],
            services=[],
            subscription={
                "active": False,
                "subscribedAt": None,
                "status": "Inactive",
                "paymentService": None,
                "plan": None,
                "features": [],
            },
            subscriptions=[],
        )
        return json_response(data)
    subscription = {
        "active": False,
        "subscribedAt": "",
        "status": "Inactive",
        "paymentService": "",
        "plan": "",
    }
    root = xml_element(
        "user",
        data,
        xml_element("subscription", subscription, xml_element("features", {})),
        xml_element("profile", _PROFILE),
        xml_element("entitlements", {}),
        xml_element("roles", {}),
        xml_element("subscriptions", {}),
        xml_element("services", {}),
    )
    return xml_response(root)


def _flag(name: str) -> bool:
    return request.args.get(name, "0").lower() in ("1", "true")


def resources_for(state: PlexTvState, account: Account) -> list[dict]:
    include_https, include_relay, include_ipv6 = (
        _flag("includeHttps"),
        _flag("includeRelay"),
        _flag("includeIPv6"),
    )
    devices = []
    with state.lock:
        for server in state.servers.values():
            owner = server.owner
            if server.owner_id == account.id:
                token, owned = server.access_token, True
            else:
                share = state.shares.get((server.machine_identifier, account.id))
                if share is None or share.pending:
                    continue
                token, owned = share.access_token, False
            connections = [normalized_connection(c) for c in server.connections]
            connections = [
                c
                for c in connections
                if (include_https or c["protocol"] != "https")
                and (include_relay or not c["relay"])
                and (include_ipv6 or not c["IPv6"])
            ]
            devices.append(
                {
                    "name": server.name,
                    "product": "Plex Media Server",
                    "productVersion": server.version,
                    "platform": server.platform,
                    "platformVersion": server.platform_version,
                    "device": "PC",
                    "clientIdentifier": server.machine_identifier,
                    "createdAt": _iso(server.created_at),
                    "lastSeenAt": _iso(server.last_seen_at),
                    "provides": "server",
                    "ownerId": None if owned else server.owner_id,
                    "sourceTitle": None if owned or owner is None else owner.username,
                    "publicAddress": server.public_address,
                    "accessToken": token,
                    "owned": owned,
                    "home": not owned and account.home_owner_id == server.owner_id,
                    "synced": False,
                    "relay": True,
                    "presence": server.presence,
                    "httpsRequired": False,
                    "publicAddressMatches": True,
                    "dnsRebindingProtection": False,
                    "natLoopbackSupported": False,
                    "connections": connections,
                }
            )
    return devices


def users_xml(state: PlexTvState, owner: Account) -> ET.Element:
    users = []
    with state.lock:
        owned = {m: s for m, s in state.servers.items() if s.owner_id == owner.id}
        for account in state.accounts.values():
            if account.id == owner.id:
                continue
            shares = [
                share
                for (machine, account_id), share in state.shares.items()
                if account_id == account.id and machine in owned
            ]
            in_home = account.home_owner_id == owner.id
            if not shares and not in_home:
                continue
            servers = [
                xml_element(
                    "Server",
                    {
                        "id": share.id,
                        "serverId": owned[share.machine_identifier].id,
                        "machineIdentifier": share.machine_identifier,
                        "name": owned[share.machine_identifier].name,
                        "lastSeenAt": owned[share.machine_identifier].last_seen_at,
                        "numLibraries": share.num_libraries
                        if share.num_libraries is not None
                        else owned[share.machine_identifier].library_count,
                        "allLibraries": share.all_libraries,
                        "owned": True,
                        "pending": share.pending,
                    },
                )
                for share in shares
            ]
            attrs = {
                "id": account.id,
                "title": account.username,
                # Managed users have no plex.tv username or email of their own.
                "username": "" if account.home_managed else account.username,
                "email": account.email,
                "recommendationsPlaylistId": "",
                "thumb": account.thumb,
                "protected": False,
                "home": in_home,
                "allowTuners": False,
                "allowSync": True,
                "allowCameraUpload": False,
                "allowChannels": False,
                "allowSubtitleAdmin": False,
                "filterAll": "",
                "filterMovies": "",
                "filterMusic": "",
                "filterPhotos": "",
                "filterTelevision": "",
                "restricted": account.home_managed,
            }
            users.append(xml_element("User", attrs, *servers))
    container = {
        "friendlyName": "myPlex",
        "identifier": "com.plexapp.plugins.myplex",
        "machineIdentifier": state.myplex_identifier,
        "totalSize": len(users),
        "size": len(users),
    }
    return xml_element("MediaContainer", container, *users)
