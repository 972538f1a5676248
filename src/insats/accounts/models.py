"""Users, organisations, memberships and roles, partnerships, governance bodies, sharing."""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .validators import normalise_org_number, validate_area_code


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_operator", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser):
    """A person who logs in with an e-mail address. What they may do comes from memberships."""

    email = models.EmailField(_("e-postadress"), unique=True)
    full_name = models.CharField(_("namn"), max_length=200)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_operator = models.BooleanField(
        _("driftansvarig"),
        default=False,
        help_text=_("Driftansvariga ser hela granskningsloggen men inga organisationers data."),
    )
    date_joined = models.DateTimeField(_("registrerad"), default=timezone.now)
    language = models.CharField(_("språk"), max_length=8, blank=True, default="")
    # Lock-out after repeated failed logins.
    failed_logins = models.PositiveIntegerField(default=0)
    last_failed_login = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Two-factor authentication (TOTP, RFC 6238).
    totp_secret = models.CharField(max_length=64, blank=True, default="")
    totp_confirmed_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(default=0)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def has_two_factor(self) -> bool:
        return bool(self.totp_secret and self.totp_confirmed_at)

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return bool(self.locked_until and self.locked_until > now)

    # Django's auth machinery asks these; Insats has no Django admin site.
    @property
    def is_staff(self) -> bool:
        return False

    @property
    def is_superuser(self) -> bool:
        return False

    def has_perm(self, perm, obj=None) -> bool:  # pragma: no cover - access.py decides
        return False

    def has_module_perms(self, app_label) -> bool:  # pragma: no cover
        return False


class RecoveryCode(models.Model):
    """One-time codes for when the authenticator app is lost. Only the hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def hash(code: str) -> str:
        return hashlib.sha256(code.replace("-", "").strip().lower().encode()).hexdigest()


class OrganisationKind(models.TextChoices):
    KOMMUN = "kommun", _("Kommun")
    REGION = "region", _("Region")
    MYNDIGHET = "myndighet", _("Statlig myndighet")
    SAMORDNINGSFORBUND = "samordningsforbund", _("Samordningsförbund")
    IDEBUREN = "ideburen", _("Idéburen organisation")
    SOCIALT_FORETAG = "socialt_foretag", _("Socialt företag")
    FORETAG = "foretag", _("Företag")
    UTFALLSFOND = "utfallsfond", _("Utfallsfond")
    LAROSATE = "larosate", _("Lärosäte/forskningsinstitut")
    POLIS = "polis", _("Polismyndighet")


class Organisation(models.Model):
    name = models.CharField(_("namn"), max_length=200)
    org_number = models.CharField(
        _("organisationsnummer"), max_length=11, unique=True, help_text=_("NNNNNN-NNNN")
    )
    kind = models.CharField(_("typ"), max_length=32, choices=OrganisationKind.choices)
    area_code = models.CharField(
        _("områdeskod"),
        max_length=4,
        blank=True,
        default="",
        help_text=_("Kommunkod (fyra siffror) eller länskod (två siffror) enligt SCB."),
    )
    description = models.TextField(_("beskrivning"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # An outside organisation (solution owner, association, company) that registered itself to answer
    # an RFI, apply for a grant or bid. It stays "self-registered" until the organisation that invited
    # it (``invited_by``) or an operator verifies it (issue 10 item 1).
    self_registered = models.BooleanField(_("självregistrerad"), default=False)
    invited_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invited_organisations",
        verbose_name=_("inbjuden av"),
    )
    contact_email = models.EmailField(_("kontaktadress"), blank=True, default="")
    verified_at = models.DateTimeField(_("verifierad"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        try:
            self.org_number = normalise_org_number(self.org_number)
        except ValidationError as exc:
            errors["org_number"] = exc.messages
        try:
            validate_area_code(self.kind, self.area_code)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)


class Role(models.TextChoices):
    ADMIN = "admin", _("Administratör")
    ANALYST = "analyst", _("Analytiker")
    PROCUREMENT = "procurement", _("Upphandlare")
    EVALUATOR = "evaluator", _("Utvärderare")
    CONTRACT_MANAGER = "contract_manager", _("Avtalsansvarig")
    CASEWORKER = "caseworker", _("Handläggare")
    VIEWER = "viewer", _("Läsare")


class Membership(models.Model):
    """A user acting for an organisation in a role. A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskap")
        verbose_name_plural = _("medlemskap")
        ordering = ["organisation__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organisation} ({self.get_role_display()})"


class Invitation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-postadress"))
    role = models.CharField(_("roll"), max_length=32, choices=Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_open(self) -> bool:
        return not self.accepted_at and not self.revoked_at and self.expires_at > timezone.now()


class FederationMember(models.Model):
    """A member of a samordningsförbund and its share of the financing (Finsam)."""

    federation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="federation_members")
    member = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="federations")
    financing_share = models.DecimalField(
        _("andel av finansieringen (%)"),
        max_digits=7,
        decimal_places=4,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )

    class Meta:
        ordering = ["-financing_share", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["federation", "member"], name="federation_member_unique")
        ]

    def clean(self) -> None:
        if self.federation_id and self.federation.kind != OrganisationKind.SAMORDNINGSFORBUND:
            raise ValidationError({"federation": _("Endast ett samordningsförbund har medlemmar.")})
        if self.federation_id and self.federation_id == self.member_id:
            raise ValidationError({"member": _("Ett förbund kan inte vara medlem i sig självt.")})

    access_owner_field = "federation"


class CollaborationLevel(models.IntegerChoices):
    """Helsingborg's five levels of collaboration with civil society (seed 002)."""

    INFORMATION = 1, _("1 Information")
    KONSULTATION = 2, _("2 Konsultation")
    DIALOG = 3, _("3 Dialog")
    SAMHANDLING = 4, _("4 Samhandling")
    PARTNERSKAP = 5, _("5 Partnerskap")


class Partnership(models.Model):
    """Two organisations working together; the level has a dated history."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnerships")
    partner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partnered_by")
    description = models.TextField(_("beskrivning"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    ended_on = models.DateField(_("avslutat"), null=True, blank=True)

    class Meta:
        ordering = ["organisation__name", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "partner"], name="partnership_unique"),
            models.CheckConstraint(
                condition=~models.Q(organisation=models.F("partner")), name="partnership_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ↔ {self.partner}"

    access_owner_lookups = ["organisation", "partner"]

    def access_owner_ids(self) -> set[int]:
        return {self.organisation_id, self.partner_id}

    def current_level_entry(self):
        return self.levels.order_by("-valid_from", "-id").first()

    def level_on(self, day):
        entry = self.levels.filter(valid_from__lte=day).order_by("-valid_from", "-id").first()
        return entry.level if entry else None


class PartnershipLevel(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField(_("samverkansnivå"), choices=CollaborationLevel.choices)
    valid_from = models.DateField(_("gäller från"))
    note = models.CharField(_("anteckning"), max_length=500, blank=True, default="")
    recorded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]

    access_owner_lookups = ["partnership__organisation", "partnership__partner"]

    def access_owner_ids(self) -> set[int]:
        return {self.partnership.organisation_id, self.partnership.partner_id}


class BodyKind(models.TextChoices):
    STYRELSE = "styrelse", _("Styrelse")
    BEREDNINGSGRUPP = "beredningsgrupp", _("Beredningsgrupp")
    STYRGRUPP = "styrgrupp", _("Styrgrupp")
    ARBETSGRUPP = "arbetsgrupp", _("Arbetsgrupp")


class GovernanceBody(models.Model):
    # A body can be shared with a named organisation (e.g. a provider joining a steering group).
    shareable = True

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField(_("typ"), max_length=32, choices=BodyKind.choices)
    name = models.CharField(_("namn"), max_length=200)
    description = models.TextField(_("beskrivning"), blank=True, default="")

    class Meta:
        ordering = ["organisation__name", "kind", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("accounts:body", args=[self.pk])


class SeatRole(models.TextChoices):
    POLITICIAN = "politician", _("Politiker")
    OFFICIAL = "official", _("Tjänsteperson")
    ALTERNATE = "alternate", _("Ersättare")


class Seat(models.Model):
    body = models.ForeignKey(GovernanceBody, on_delete=models.CASCADE, related_name="seats")
    person_name = models.CharField(_("namn"), max_length=200)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="seats")
    represents = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="seats", verbose_name=_("representerar")
    )
    role = models.CharField(_("roll"), max_length=16, choices=SeatRole.choices)
    term_start = models.DateField(_("mandatperiod från"))
    term_end = models.DateField(_("mandatperiod till"), null=True, blank=True)

    class Meta:
        ordering = ["body", "role", "person_name"]

    def clean(self) -> None:
        if self.term_end and self.term_start and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("Mandatperioden kan inte sluta innan den börjar.")})

    access_owner_lookups = ["body__organisation"]

    def access_owner_ids(self) -> set[int]:
        return {self.body.organisation_id}


class ApiToken(models.Model):
    """A personal API token scoped to one membership. Only a hash of the secret is stored."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("namn"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    access_user_field = "membership__user"

    @property
    def access_user_id(self) -> int:
        return self.membership.user_id


class ThrottleBucket(models.Model):
    """A counter per key (``"login:<address>"``, ``"api:<address>"``) in a fixed window.

    In the database, not in a process, so every worker sees the same count (accounts/security.py).
    """

    key = models.CharField(max_length=80, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"


class Share(models.Model):
    """An object shared explicitly with another organisation for a named purpose."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    owner = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares_given")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shares_received")
    purpose = models.CharField(_("syfte"), max_length=200)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["content_type", "object_id"])]

    # The organisation that granted the share owns it (and may revoke it).
    access_owner_field = "owner"


class BackgroundJob(models.Model):
    """A long piece of work started by a user, with progress the user can follow."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("I kö")
        RUNNING = "running", _("Pågår")
        DONE = "done", _("Klar")
        FAILED = "failed", _("Misslyckades")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="jobs")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, related_name="+")
    kind = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True, default="")
    result = models.JSONField(default=dict, blank=True)
    task_result_id = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return min(100, int(100 * self.done / self.total)) if self.total else 0

    access_user_field = "user"

    @property
    def access_user_id(self) -> int:
        return self.user_id


def member_org_ids_of(federation: Organisation) -> list[int]:
    return list(FederationMember.objects.filter(federation=federation).values_list("member_id", flat=True))


def token_key() -> str:
    return "ins_" + secrets.token_urlsafe(30)
