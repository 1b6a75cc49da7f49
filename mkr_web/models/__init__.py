"""SQLAlchemy models, one module per topic; imported here so Alembic sees them all."""

from .accounts import (
    Invitation,
    InvitationState,
    LoginFailure,
    PasswordReset,
    RecoveryCode,
    TenantSSO,
    UserSession,
    invitation_municipality,
)
from .accreditation import AccreditationApplication
from .admission import AdmissionBatch, AdmissionCandidate, MatchKind
from .api import ApiToken
from .audit import AuditEntry, PlatformAuditEntry
from .base import db
from .certificates import Certificate, CertificateKind
from .documents import StoredFile
from .events import (
    CountCategory,
    Direction,
    EditionFormat,
    EditionState,
    Event,
    EventEdition,
    EventKind,
    EventLevel,
    Participation,
    ParticipationCount,
    ParticipationRole,
)
from .jobs import Job, JobState
from .nominations import Nomination, NominationKind
from .notifications import (
    AccountNotification,
    Channel,
    MailState,
    Notification,
    NotificationPreference,
    NotificationTemplate,
)
from .people import (
    ADMISSION_SORT_KEY,
    BIRTH_SORT_KEY,
    LAST_DAY,
    Achievement,
    AchievementLevel,
    Consent,
    ConsentGiver,
    Person,
    PersonProject,
    PersonStatusChange,
    normalize_name,
)
from .privacy import DestructionBatch, DestructionState, DuplicatePair, PersonMerge
from .programme import (
    Opportunity,
    OpportunityKind,
    OutletKind,
    Partnership,
    Placement,
    Publication,
)
from .report import ReportSnapshot, ReportVersion
from .reviews import (
    AssignmentState,
    ReviewAssignment,
    Rubric,
    RubricCriterion,
    Score,
    SubjectType,
    TransitionLog,
)
from .submissions import FormSubmission
from .tenancy import Municipality, MunicipalityKind, Organization, OrganizationKind, Tenant
from .users import Membership, User, membership_municipality

__all__ = [name for name in dir() if not name.startswith("_")]
