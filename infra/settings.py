"""Configuration from the environment, prefix KETENREGIE_ (pydantic-settings)."""

from __future__ import annotations

import hmac
import os
import secrets
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Self

import yaml
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.service import TLSConfig

from domain import events
from domain.catalogue import CATALOGUE
from domain.chain import Chain
from domain.chain_policy import Policy
from domain.notifications import unreachable
from domain.policy import DeliveryPolicy
from domain.radar import Radar, RepeatRule
from domain.workdays import CalendarName
from infra.keys import Keyring

SAMPLE_CHAIN = Path(__file__).with_name("chain.yaml")
SAMPLE_SINK = "http://127.0.0.1:8026/"  # where the sample chain's webhooks go


def sample_chain(sink_port: int) -> str:
    """The sample chain with its webhooks pointed at a local sink on `sink_port`."""
    return SAMPLE_CHAIN.read_text(encoding="utf-8").replace(
        SAMPLE_SINK, f"http://127.0.0.1:{sink_port}/"
    )


class ChainIncomplete(ValueError):
    """The chain file lacks an organisation a legal duty goes to."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="KETENREGIE_", env_file=".env", extra="ignore")

    data_dir: Path = Path(".ketenregie")
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    database_url: str | None = Field(
        None, description="Any Postgres DSN; when unset an embedded Postgres runs in data_dir/pg"
    )
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_tls_ca: Path | None = Field(
        None,
        description="PEM file of the CA that signed Temporal's frontend certificate; unset: "
        "the system's roots",
    )
    temporal_tls_cert: Path | None = Field(
        None,
        description="PEM file of this process's client certificate for mTLS to Temporal; "
        "with temporal_tls_key. Unset (and the other TLS settings too): plaintext, the dev server",
    )
    temporal_tls_key: Path | None = Field(
        None, description="PEM file of the private key of temporal_tls_cert"
    )
    temporal_tls_server_name: str | None = Field(
        None,
        description="the name in the frontend's certificate (and the TLS SNI), when it is not "
        "the host of temporal_address",
    )
    temporal_ui_port: int = 8233
    task_queue: str = "ketenregie"
    chain_file: Path = SAMPLE_CHAIN
    # the pages' look per deployment: the NL Design System's components take their colours,
    # fonts and sizes from design tokens (CSS custom properties on one class)
    theme_name: str = Field(
        "ketenregie", max_length=80, description="the name in the page header, beside the logo"
    )
    theme_stylesheet: Path | None = Field(
        None,
        description="a CSS file of NL Design System design tokens (the organisation's colours, "
        "fonts, sizes) on the class theme_class, served from the API's own origin; unset: the "
        "NL Design System's voorbeeld theme",
    )
    theme_class: str = Field(
        "voorbeeld-theme",
        pattern=r"^[a-z][a-z0-9-]*$",
        description="the class the tokens of theme_stylesheet are set on",
    )
    theme_logo: Path | None = Field(
        None, description="an SVG or PNG logo for the page header; unset: the name alone"
    )
    time_scale: float = Field(
        1.0,
        gt=0,
        description="Multiplies every legal duration; 1 in production, e.g. 0.0001 for a demo",
    )
    first_day_scale: float | None = Field(
        None,
        gt=0,
        le=1,
        description="Demo mode: the first day of every period runs at this scale, the rest at "
        "time_scale (`ketenregie up --demo`: 0.01, so a 4-hour window lasts 2.4 minutes)",
    )
    decision_window_hours: float = Field(
        4.0, gt=0, description="Hours the mayor's office has before a request is escalated"
    )
    working_days: CalendarName = Field(
        "atw",
        description="calendar of working days: 'atw' (Algemene termijnenwet art. 3) or "
        "'nl_public_holidays'",
    )

    jwt_issuer: str = "ketenregie-dev"
    jwt_audience: str = "ketenregie"
    oidc_jwks_url: str | None = Field(
        None,
        description="the organisation's OIDC JWKS URL; when unset a local dev signing key is used",
    )
    oidc_issuer: str | None = Field(
        None,
        description="the OpenID provider the pages sign in with (read from its "
        "/.well-known/openid-configuration); when unset and oidc_jwks_url too, the dev sign-in",
    )
    oidc_client_id: str = "ketenregie"
    oidc_client_secret: SecretStr | None = Field(
        None, description="for a confidential client; unset: a public client, PKCE alone"
    )
    oidc_redirect_url: str | None = Field(
        None,
        description="the callback registered at the provider; default: /aanmelden/oidc/terug "
        "on the host the browser used",
    )
    oidc_scope: str = "openid"
    oidc_org_claim: str = Field(
        "org", description="ID token claim holding the organisation: a partner id of the chain"
    )
    oidc_role_claim: str = Field(
        "role", description="ID token claim holding the role, one the chain allows that partner"
    )
    session_secret: SecretStr | None = Field(
        None,
        description="signs the pages' session cookie; the same on every API replica. "
        "Unset: the local dev key (one process)",
    )

    @field_validator(
        "oidc_issuer",
        "oidc_redirect_url",
        "oidc_client_secret",
        "session_secret",
        "oin",
        "public_url",
        "pseudonym_key",
        "temporal_tls_ca",
        "temporal_tls_cert",
        "temporal_tls_key",
        "temporal_tls_server_name",
        "temporal_ui_origin",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value):
        """A compose file passes an unset variable on as ""; that is no issuer and no key."""
        return None if value == "" else value

    secure_cookies: bool = Field(
        True,
        description="the session cookie only over HTTPS (Secure); `ketenregie up` turns it off "
        "for its plain-HTTP pages on 127.0.0.1",
    )
    session_hours: float = Field(8, gt=0, description="a page session ends this long after sign-in")
    sign_ins_per_minute: int = Field(
        5,
        ge=1,
        description="sign-in attempts per account a clock minute, counted in Postgres for "
        "every API process together",
    )
    sign_ins_per_minute_per_address: int = Field(
        30,
        ge=1,
        description="sign-in attempts per client address a clock minute (an office behind one "
        "address signs in at once), counted in Postgres for every API process together",
    )
    dev_sign_in: bool = Field(
        False,
        description="the development sign-in (pick any organisation and role, no password); "
        "`ketenregie up` turns it on without an identity provider. Refused beside one",
    )
    forwarded_allow_ips: str = Field(
        "",
        description="addresses (or networks) of the proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed, comma-separated; the client is then the right-most "
        "address they did not add. Empty: none, the connection's own address counts",
    )

    @model_validator(mode="after")
    def _no_dev_sign_in_beside_a_provider(self) -> Settings:
        """The dev sign-in lets anyone be anyone: never where real identities are used."""
        if self.dev_sign_in and (self.oidc_issuer or self.oidc_jwks_url):
            raise ValueError(
                "KETENREGIE_DEV_SIGN_IN staat aan terwijl een identity provider is ingesteld "
                "(KETENREGIE_OIDC_ISSUER of KETENREGIE_OIDC_JWKS_URL): zet het uit"
            )
        return self

    temporal_ui_origin: str | None = Field(
        None,
        description="the origin of the Temporal Web UI whose pages call /codec with the "
        "session (credentialed CORS, on /codec only); unset: http://127.0.0.1:<temporal_ui_port>",
    )

    @property
    def codec_origin(self) -> str:
        return self.temporal_ui_origin or f"http://127.0.0.1:{self.temporal_ui_port}"

    api_contact: dict[str, str] = Field(
        {
            "name": "Beheer ketenregie",
            "email": "ketenregie@veiligthuis.example",
            "url": "https://ketenregie.veiligthuis.example/contact",
        },
        description="info.contact of the OpenAPI document: the team that runs the API "
        "(name, email, url; NL API Design Rules /core/doc-openapi-contact)",
    )
    retention_days: int = Field(
        20 * 365 + 5,
        ge=1,
        description="days a closed Veilig Thuis file is kept (Wmo 2015: twenty years)",
    )

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(8025, description="SMTP relay; `./run up` runs a stand-in here")
    mail_from: str = "ketenregie@veiligthuis.example"
    sink_port: int = Field(8026, description="the local sink's webhook receiver and message list")
    webhook_secrets: dict[str, str] = Field(
        {}, description='HMAC secrets per partner id, JSON: {"politie-den-haag": "..."}'
    )
    oin: str | None = Field(
        None,
        pattern=r"^\d{20}$",
        description="the sending organisation's OIN: webhooks' CloudEvents name it in their "
        "source, urn:nld:oin:<OIN>:systeem:ketenregie; unset: urn:nld:systeem:ketenregie",
    )
    public_url: str | None = Field(
        None,
        description="where partners reach the API, e.g. https://ketenregie.example.nl; a "
        "CloudEvent's dataref points there. Unset: http://<api_host>:<api_port>",
    )
    zgw_secrets: dict[str, str] = Field(
        {},
        description="secrets per mayor's office (partner id) that sign the JWT for its "
        'zaaksysteem (ZGW APIs), JSON: {"burgemeester-gm0358": "..."}',
    )
    delivery_attempts: int = Field(12, ge=1, description="tries before a notification fails")
    delivery_first_retry_seconds: float = Field(5, gt=0)
    delivery_max_retry_seconds: float = Field(600, gt=0)
    delivery_timeout_seconds: float = Field(
        30, gt=0, description="one attempt; after a crash the retry waits this long"
    )

    corv_url: str | None = Field(
        None, description="CORV endpoint for the verzoek tot onderzoek; default: the local sink"
    )
    mda_reviews_per_run: int = Field(
        4, ge=1, description="MDA++ reviews before its workflow continues as new"
    )

    @model_validator(mode="after")
    def _temporal_tls_whole(self) -> Self:
        """TLS to Temporal is mutual or absent: half of it would start and then fail (or,
        without a client certificate, knock on a door that should stay shut)."""
        tls = {
            "KETENREGIE_TEMPORAL_TLS_CA": self.temporal_tls_ca,
            "KETENREGIE_TEMPORAL_TLS_CERT": self.temporal_tls_cert,
            "KETENREGIE_TEMPORAL_TLS_KEY": self.temporal_tls_key,
            "KETENREGIE_TEMPORAL_TLS_SERVER_NAME": self.temporal_tls_server_name,
        }
        given = {name for name, value in tls.items() if value is not None}
        needed = {"KETENREGIE_TEMPORAL_TLS_CERT", "KETENREGIE_TEMPORAL_TLS_KEY"}
        if given and not needed <= given:
            raise ValueError(
                "TLS naar Temporal is half ingesteld: "
                + ", ".join(sorted(given))
                + " wel, maar "
                + " en ".join(sorted(needed - given))
                + " niet; mTLS vraagt een clientcertificaat met zijn sleutel"
            )
        return self

    @property
    def temporal_tls(self) -> TLSConfig | bool:
        """mTLS to Temporal's frontend when configured; False: plaintext (the dev server)."""
        if self.temporal_tls_cert is None or self.temporal_tls_key is None:
            return False
        return TLSConfig(
            server_root_ca_cert=self.temporal_tls_ca.read_bytes() if self.temporal_tls_ca else None,
            domain=self.temporal_tls_server_name,
            client_cert=self.temporal_tls_cert.read_bytes(),
            client_private_key=self.temporal_tls_key.read_bytes(),
        )

    @property
    def event_source(self) -> str:
        """The `source` of the CloudEvents sent to partners."""
        return events.event_source(self.oin)

    @property
    def api_url(self) -> str:
        """The API's public base URL (partners read a CloudEvent's dataref there)."""
        return (self.public_url or f"http://{self.api_host}:{self.api_port}").rstrip("/")

    @property
    def corv_endpoint(self) -> str:
        return self.corv_url or f"http://{self.smtp_host}:{self.sink_port}/corv/berichten"

    def webhook_secret(self, partner_id: str) -> bytes:
        """The partner's signing secret; without configuration one derived from the dev key."""
        if partner_id in self.webhook_secrets:
            return self.webhook_secrets[partner_id].encode()
        return hmac.new(self.dev_signing_key, f"webhook:{partner_id}".encode(), "sha256").digest()

    def zgw_secret(self, partner_id: str) -> bytes:
        """The secret the partner's zaaksysteem knows ketenregie's client by; without
        configuration one derived from the dev key."""
        if partner_id in self.zgw_secrets:
            return self.zgw_secrets[partner_id].encode()
        return hmac.new(self.dev_signing_key, f"zgw:{partner_id}".encode(), "sha256").digest()

    pseudonym_key: SecretStr | None = Field(
        None,
        description="keys the radar's pseudonyms of persons (HMAC-SHA256); only the API holds "
        "it, never Temporal. Unset: derived from the local dev key",
    )
    repeat_meldingen: int = Field(
        3, ge=2, description="radar: a melding that is at least the n-th within the window"
    )
    repeat_months: int = Field(12, ge=1, description="radar: the window in months")
    repeat_during_huisverbod: bool = Field(
        True, description="radar: a melding while a huisverbod about the same people runs"
    )
    figures_threshold: int = Field(
        5, ge=1, description="figures: a count below this (but above 0) is suppressed"
    )

    @cached_property
    def radar(self) -> Radar:
        if self.pseudonym_key is not None:
            key = self.pseudonym_key.get_secret_value().encode()
        else:
            key = hmac.new(self.dev_signing_key, b"pseudonyms", "sha256").digest()
        rule = RepeatRule(
            meldingen=self.repeat_meldingen,
            months=self.repeat_months,
            during_huisverbod=self.repeat_during_huisverbod,
        )
        return Radar(key=key, rule=rule)

    otlp_endpoint: str | None = Field(
        None, description="OTLP/HTTP collector, e.g. http://otel-collector:4318; traces go there"
    )
    trace_console: bool = Field(False, description="print spans to stderr (no collector)")
    worker_metrics_address: str | None = Field(
        None, description="host:port where the worker serves Prometheus metrics"
    )
    dispatcher_metrics_address: str | None = Field(
        None,
        description="host:port where the dispatchers' worker process (beside each worker) serves "
        "Prometheus metrics: the deliveries sent and failed",
    )
    worker_cached_workflows: int = Field(
        1000,
        ge=0,
        description="workflows the worker keeps in memory (sticky cache); one woken beyond "
        "it is replayed from its history",
    )
    worker_workflow_tasks: int = Field(
        100, ge=1, description="workflow tasks the worker runs at a time"
    )
    worker_workflow_pollers: int = Field(
        5, ge=1, description="long polls the worker keeps open for workflow tasks"
    )

    @cached_property
    def dev_signing_key(self) -> bytes:
        """HS256 key for local tokens, kept in data_dir (development only)."""
        path = self.data_dir / "jwt-dev-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(secrets.token_bytes(32))
        return path.read_bytes()

    @property
    def session_key(self) -> bytes:
        if self.session_secret is not None:
            return self.session_secret.get_secret_value().encode()
        return self.dev_signing_key

    codec_keys: str | None = Field(
        None,
        description='payload encryption keys "kid:base64,kid2:base64"; dev: a file in data_dir',
    )
    codec_current_key: str | None = None

    @cached_property
    def keyring(self) -> Keyring:
        if self.codec_keys:
            if not self.codec_current_key:
                raise ValueError("KETENREGIE_CODEC_CURRENT_KEY must name the key to encrypt with")
            return Keyring.parse(self.codec_keys, self.codec_current_key)
        return Keyring.dev_file(self.data_dir / "codec-keys.json")

    @cached_property
    def chain(self) -> Chain:
        """The chain file, refused when a legal duty would find no one to tell."""
        if self.chain_file == SAMPLE_CHAIN:  # its webhooks reach the local sink, where it is
            chain = Chain.model_validate(yaml.safe_load(sample_chain(self.sink_port)))
        else:
            chain = Chain.load(self.chain_file)
        if missing := unreachable(CATALOGUE, chain):
            raise ChainIncomplete(
                f"de ketenconfiguratie {self.chain_file} is niet compleet: niemand is ingesteld "
                "om de wettelijke meldingen te ontvangen van\n- "
                + "\n- ".join(missing)
                + "\nVul deze organisaties aan; ketenregie start niet zonder."
            )
        return chain

    @property
    def policy(self) -> Policy:
        return Policy.build(
            time_scale=self.time_scale,
            first_day_scale=self.first_day_scale,
            decision_window_hours=self.decision_window_hours,
            working_days=self.working_days,
            mda_reviews_per_run=self.mda_reviews_per_run,
            delivery=DeliveryPolicy(
                attempts=self.delivery_attempts,
                first_retry=timedelta(seconds=self.delivery_first_retry_seconds),
                max_retry=timedelta(seconds=self.delivery_max_retry_seconds),
                timeout=timedelta(seconds=self.delivery_timeout_seconds),
            ),
        )
