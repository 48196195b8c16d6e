"""Writes about meetings and what they produce; views call these, never the ORM directly.

One module per part; each is re-exported here.
"""

from .items import (  # noqa: F401
    commitment_delete,
    commitment_save,
    follow_up_delete,
    follow_up_save,
    proposal_delete,
    proposal_save,
)
from .meetings import (  # noqa: F401
    default_title,
    meeting_close,
    meeting_create,
    meeting_delete,
    meeting_mark_held,
    meeting_reopen,
    meeting_update,
)
from .musrenbang import proposal_outcome_save  # noqa: F401
from .participants import (  # noqa: F401
    attendance_take,
    lock_open_for_participants,
    participant_add,
    participant_delete,
    participant_update,
    participants_invite_partners,
    participants_invite_staff,
)
from .problems import (  # noqa: F401
    lock_open_meeting,
    meeting_method_set,
    problem_delete,
    problem_save,
    problem_scores_save,
    root_cause_add,
    root_cause_delete,
)
from .records import (  # noqa: F401
    agreement_scan_upload,
    meeting_minutes_save,
    photo_caption_save,
    photo_delete,
    photos_add,
)
from .sheets import participants_template, rtl_template  # noqa: F401
from .tracking import item_status_change, next_statuses  # noqa: F401
