"""Reads about meetings, always scoped by indicators.scoping; one module per part, re-exported."""

from .district import (  # noqa: F401
    BoardFilters,
    ProposalFilters,
    board_labels,
    commitments_by_partner,
    followup_board,
    followup_counts,
    followups_by_partner,
    proposal_list,
    proposal_totals,
)
from .followups import open_items_for  # noqa: F401
from .meetings import (  # noqa: F401
    meeting_get,
    meeting_initial,
    meeting_list,
    meeting_years,
    participant_list,
    partner_choices,
    staff_choices,
    team_forming_suggested,
)
from .outcomes import (  # noqa: F401
    commitment_list,
    fishbone,
    follow_up_list,
    meeting_proposal_list,
    partners_of_meeting,
    problem_get,
    problem_list,
    problem_number,
    spm_services_of_meeting,
    stored_scores,
    subdistricts_of_meeting,
    villages_of_meeting,
)
from .pack import MeetingPack, meeting_pack  # noqa: F401
from .records import (  # noqa: F401
    Agreement,
    agreement_get,
    item_history,
    photo_list,
    status_updates_in_area,
)
from .scores import lokmin_held, management_scores, score_bands  # noqa: F401
