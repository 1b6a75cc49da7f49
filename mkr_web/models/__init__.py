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
from .admission import (
    AdmissionBatch,
    AdmissionCandidate,
    Certificate,
    CertificateKind,
    MatchKind,
    Nomination,
    NominationKind,
    Opportunity,
    OpportunityKind,
    OutletKind,
    Partnership,
    Placement,
    Publication,
)
from .audit import AuditEntry
from .base import db
from .documents import Job, JobState, Notification, StoredFile
from .events import (
    AccreditationApplication,
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
from .people import (
    Achievement,
    AchievementLevel,
    Consent,
    ConsentGiver,
    Person,
    PersonProject,
    PersonStatusChange,
    normalize_name,
)
from .reviews import (
    AssignmentState,
    ReviewAssignment,
    Rubric,
    RubricCriterion,
    Score,
    SubjectType,
    TransitionLog,
)
from .tenancy import Municipality, MunicipalityKind, Organization, OrganizationKind, Tenant
from .users import Membership, User, membership_municipality

__all__ = [name for name in dir() if not name.startswith("_")]
