# Passerelle: texts in English.
# Every id here exists in locales/fr/passerelle.ftl with the same placeholders.

## Problem types: title, then what a client does about it.

problem-bad-request = Bad request
problem-bad-request-description = The request cannot be read: a body that is not JSON, or a header missing or malformed (the detail says which). Fix the request; sending it again unchanged fails again.
problem-invalid-parameters = Invalid parameters
problem-invalid-parameters-description = A path or query parameter breaks a rule. `errors` lists each one with its `field` (the parameter name), a `code` and a message saying what is accepted.
problem-unauthenticated = Authentication required
problem-unauthenticated-description = No access token, or one that is invalid, expired or revoked. Sign in (`POST /api/v1/auth/login`) or refresh the token (`POST /api/v1/auth/refresh`) and retry.
problem-wrong-credentials = Wrong e-mail or password
problem-wrong-credentials-description = The sign-in failed: the e-mail is unknown or the password is wrong (the answer does not say which). Repeated failures are throttled.
problem-forbidden = Forbidden
problem-forbidden-description = The caller is known but this is not theirs to do. For a move of an application, `allowed` lists the moves the caller may make instead.
problem-not-found = Not found
problem-not-found-description = Nothing with this id exists within what the caller may see. Another caller may see it.
problem-method-not-allowed = Method not allowed
problem-method-not-allowed-description = The path exists but not with this HTTP method; the `Allow` header lists the methods it takes.
problem-request-timeout = Request timeout
problem-request-timeout-description = The body did not arrive in time. Retry.
problem-conflict = Conflict
problem-conflict-description = The request is valid but the current state refuses it (a duplicate, a move the state machine does not have, no position left). `allowed` lists what the state allows, when it is a state.
problem-payload-too-large = Payload too large
problem-payload-too-large-description = The body is larger than the operation takes. Send less, for a roster in several imports.
problem-uri-too-long = URI too long
problem-uri-too-long-description = The request's address is longer than the service reads. Send shorter parameters.
problem-unsupported-media-type = Unsupported media type
problem-unsupported-media-type-description = The body was sent with a `Content-Type` the operation does not take (JSON, or CSV where said).
problem-precondition-failed = Precondition failed
problem-precondition-failed-description = The `If-Match` sent does not match the current `ETag`: the resource changed since it was read. Read it again, then retry.
problem-precondition-required = Precondition required
problem-precondition-required-description = This write needs an `If-Match` header with the `ETag` of the version read.
problem-validation = Validation failed
problem-validation-description = A field of the body breaks a rule. `errors` lists each one with its `field` (a JSON path such as `requirements[2].min_level`), a `code` and a message saying what is accepted.
problem-too-many-requests = Too many requests
problem-too-many-requests-description = The rate limit for this operation is reached. Wait for the number of seconds in `Retry-After`.
problem-unavailable = Service unavailable
problem-unavailable-description = The database is unreachable or the request took too long. Retry later; nothing was half done.
problem-internal = Internal server error
problem-internal-description = An unexpected error. Quote the `request_id` when reporting it; the cause is in the service's logs under that id.
problem-client-error = Client error
problem-client-error-description = The request was refused; the status and the detail say why.

## Details shared by many answers.

detail-internal = an unexpected error occurred; quote the request id when reporting it
detail-wrong-credentials = the e-mail or the password is wrong
detail-too-many-requests = rate limit reached; retry in { $seconds } s
not-found = { $what } not found

## What cannot be found: the nouns of not-found.

thing-account = account
thing-application = application
thing-campaign = campaign
thing-delivery = delivery
thing-offer = offer
thing-offer-in-campaign = offer in this campaign
thing-organisation = organisation
thing-placement = placement
thing-problem-type = problem type
thing-school = school
thing-skill = skill
thing-student = student
thing-student-profile = student profile
thing-profile-or-offer-indexed = student profile or offer in the matching index
thing-training = training
thing-webhook = webhook subscription

## Field rules (errors[].message).

required = must not be empty
too-short = must be at least { $min } characters
too-long = must be at most { $max } characters
the-key = the key { $rule }
problem-page-footer = Problem type <code>/problems/{ $slug }</code> of the Passerelle API, sent as an RFC 9457 <code>application/problem+json</code> document.

## Report columns (the header row of CSV files and workbooks).

column-scope = scope
column-group = group
column-school = school
column-period = period
column-kind = kind
column-month = month
column-skill = skill
column-label-fr = label_fr
column-label-en = label_en
column-domain = domain
column-level = level
column-demand-required = demand_required
column-demand-preferred = demand_preferred
column-demand = demand
column-supply = supply
column-ratio = ratio
column-students-seeking = students_seeking
column-students-placed = students_placed
column-placement-rate = placement_rate
column-students-with-applications = students_with_applications
column-applications = applications
column-offers-received = offers_received
column-median-days-to-first-acceptance = median_days_to_first_acceptance
column-students = students
column-positions = positions
column-seats = seats
column-trainings = trainings
column-suppressed = suppressed

## Workbooks: sheet names (at most 31 characters) and chart titles.

sheet-placement-stats = Placement statistics
sheet-placement-rates = Placement rates
sheet-skills-gap = Skills gap
sheet-training-needs = Training needs
chart-placement-rate = Placement rate

## Refusals and field rules, one text each.

a-school-already-has-this-code = a school already has this code
an-account-already-uses-this-email = an account already uses this e-mail
an-admin-cannot-disable-their-own-account = an admin cannot disable their own account
an-application-of-the-campaign-was-moved-meanwhile-publish = an application of the campaign was moved meanwhile; publish again
an-organisation-already-has-this-code = an organisation already has this code
applications-and-placements-are-not-readable-with-this-role = applications and placements are not readable with this role
at-least-one-skill-requirement = at least one skill requirement
closes-at-must-be-after-opens-at = closes_at must be after opens_at
current-password-is-not-the-account-s-password = current_password is not the account's password
each-date-once = each date once
give-a-title-or-a-description = give a title or a description
letters-digits-and-only = letters, digits and - only
must-be-a-year-e-g-2026 = must be a year, e.g. 2026
must-be-an-http-or-https-link = must be an http or https link
must-be-from-1-to-5 = must be from 1 to 5
must-not-be-in-the-past = must not be in the past
name-the-company-tutor-and-the-academic-referent-before = name the company tutor and the academic referent before signing
needed-to-publish = needed to publish
no-position-left-on-this-offer = no position left on this offer
no-such-provider = no such provider
not-an-email-address = not an email address
only-admins-and-school-staff-organise-campaigns = only admins and school staff organise campaigns
only-an-administrator-may-do-this = only an administrator may do this
only-recruiters-of-the-offer-s-organisation-change-it = only recruiters of the offer's organisation change it
only-recruiters-of-the-offer-s-organisation-rank-its = only recruiters of the offer's organisation rank its candidates
only-recruiters-post-offers = only recruiters post offers
only-school-staff-and-admins-list-students = only school staff and admins list students
only-school-staff-recruiters-and-admins-add-trainings = only school staff, recruiters and admins add trainings
only-school-staff-the-committee-and-admins-read-the = only school staff, the committee and admins read the skills gap
school-staff-read-their-own-school-s-training-needs = school staff read the training needs of their own school only
only-school-staff-the-committee-and-admins-read-training-needs = only school staff, the committee and admins read the training needs
only-students-apply-to-offers = only students apply to offers
only-the-campaign-s-organiser-its-school-s-staff = only the campaign's organiser (its school's staff, or an admin) does this
only-the-committee-and-admins-read-network-reports = only the committee and admins read network reports
only-the-provider-s-staff-and-admins-change-a = only the provider's staff and admins change a training
only-the-school-s-staff-the-committee-and-admins = only the school's staff, the committee and admins read its statistics
only-the-student-and-admins-exercise-the-student-s = only the student and admins exercise the student's data rights
only-the-student-edits-their-profile = only the student edits their profile
only-the-student-edits-their-skills = only the student edits their skills
only-the-student-the-school-and-the-organisation-sign = only the student, the school and the organisation sign
only-the-students-the-campaign-places-rank-its-offers = only the students the campaign places rank its offers
only-this-school-s-staff-may-manage-its-roster = only this school's staff may manage its roster
school-staff-organise-campaigns-for-their-own-school-only = school staff organise campaigns for their own school only
send-an-access-token-as-authorization-bearer-token = send an access token as `Authorization: Bearer <token>`
the-access-token-has-been-revoked = the access token has been revoked
the-access-token-is-invalid = the access token is invalid
the-access-token-is-invalid-or-expired = the access token is invalid or expired
the-activation-token-is-invalid-used-or-expired = the activation token is invalid, used or expired
the-application-was-moved-meanwhile-read-it-again = the application was moved meanwhile; read it again
the-authorization-header-is-not-bearer-token = the Authorization header is not `Bearer <token>`
the-body-could-not-be-read = the body could not be read
the-body-is-not-a-readable-xlsx-workbook = the body is not a readable .xlsx workbook
the-body-is-not-valid-json-it-ends-too = the body is not valid JSON: it ends too early
the-body-must-be-a-json-object = the body must be a JSON object
the-campaign-is-published-its-inputs-and-results-are = the campaign is published; its inputs and results are final
the-campaign-was-published-meanwhile = the campaign was published meanwhile
the-campaign-was-run-changed-or-published-meanwhile = the campaign was run, changed or published meanwhile
the-committee-reads-aggregated-reports-only = the committee reads aggregated reports only
the-deadline-to-apply-has-passed = the deadline to apply has passed
the-idempotency-key-must-be-1-to-200-visible = the Idempotency-Key must be 1 to 200 visible ASCII characters
the-offer-changed-meanwhile-read-it-again = the offer changed meanwhile; read it again
the-placement-changed-meanwhile-read-it-again = the placement changed meanwhile; read it again
the-placement-is-changing-right-now-retry-shortly = the placement is changing right now; retry shortly
the-refresh-token-is-invalid-expired-or-revoked = the refresh token is invalid, expired or revoked
the-student-applied-to-the-offer-meanwhile-publish-again = the student applied to the offer meanwhile; publish again
this-account-has-no-student-profile = this account has no student profile
this-account-is-already-activated = this account is already activated
this-account-no-longer-exists = this account no longer exists
this-city-is-already-listed = this city is already listed
this-language-is-already-listed = this language is already listed
this-skill-is-already-listed = this skill is already listed
this-skill-is-already-required = this skill is already required
this-student-already-has-an-account-sign-in-instead = this student already has an account; sign in instead
trainings-are-added-for-your-own-school-or-organisation = trainings are added for your own school or organisation
you-already-applied-to-this-offer = you already applied to this offer
weekly-hours-out-of-range = the weekly hours must be from 1 to { $max }
school-approver-unknown = no account has this number
school-approver-not-of-the-school = the approver must be a staff member of the student's school
school-approver-disabled = this staff account is disabled

## Refusals that quote the request or the state. Status values stay codes.

offer-cannot-become = a { $status } offer cannot become { $to }
offer-cannot-be-changed = a { $status } offer cannot be changed
positions-already-taken = { $taken } positions are already taken
offer-not-open-to-applications = the offer is { $status }, not open to applications
application-move-not-yours = moving from { $from } to { $to } is not yours to do
application-cannot-move = an application cannot move from { $from } to { $to }
placement-does-not-change = a { $status } placement does not change
placement-takes-no-signature = a { $status } placement takes no signature
placement-cannot-be-terminated = a { $status } placement cannot be terminated
party-already-signed = the { $party } already signed version { $version }
document-signed-is-not-current = the document signed is not the current version's; download the agreement again and sign that
must-be-a-sha256 = must be the SHA-256 of the document, as 64 hexadecimal digits
no-school-has-id = no school has id { $id }
offer-is-not-open = offer { $id } is not an open offer
no-open-offer-matches-the-filter = no open offer matches the filter
filter-matches-too-many-offers = the filter matches more than { $max } offers
preference-window-not-open = preference_window_not_open: preferences are taken from { $opens }
preference-window-closed = preference_window_closed: preferences were taken until { $closes }
preference-window-open = preference_window_open: publish after the preference window closes at { $closes }

## Roster imports: a line, a column, a value.

roster-column-missing = line 1: the { $column } column is missing
roster-unknown-column = line { $line }: unknown column { $column }; the columns are { $columns }
roster-line = line { $line }: { $reason }
roster-cell = line { $line }, column { $column }, value "{ $value }": { $reason }
roster-cell-count = { $len } cells where the header has { $expected }
roster-line-not-csv = the line cannot be read as CSV
roster-unreadable-header = unreadable CSV header: { $reason }
roster-appears-twice = appears twice in the file
roster-email-of-student = belongs to student { $owner }
roster-emails-taken = nothing imported: the new e-mail of an activated student is the sign-in e-mail of another account: { $emails }
roster-media-types = send the roster as text/csv, application/json or { $xlsx }

## The request itself.

url-too-long = the path and query are { $length } bytes long; at most { $max } are accepted
body-too-large = the body is larger than the limit of { $limit } bytes

## A body or a query that does not fit its type. Field names stay as sent.

the-body = the body
the-query = query
is-required = { $field } is required
unknown-field = { $field } is not a field here; the fields are: { $known }
unknown-field-none = { $field } is not a field here; no field is accepted here
unknown-parameter = { $field } is not a parameter of this operation; the parameters are: { $known }
unknown-parameter-none = { $field } is not a parameter of this operation; no field is accepted here
must-be-one-of = { $field } must be one of: { $values }
must-be = { $field } must be { $kind }
not-a-valid-value = { $field } is not a valid value: { $reason }
kind-whole-number = a whole number
kind-number = a number
kind-true-or-false = true or false
kind-list = a list
kind-object = an object
kind-string = a string
invalid-updated-since = updated_since is an RFC 3339 date-time, such as 2026-12-01T08:00:00Z

## Versions, health and refusals of the recruiting side.
if-match-required = send If-Match with the ETag you read
changed-since-read-now = the resource changed since you read it; it is now { $etag }
placement-changed-since-read = the placement changed since you read it; read it again
profile-changed-since-read = the profile changed since you read it
offer-changed-since-read = the offer changed since you read it
placement-terms-by-the-parties = the terms are set by the hosting organisation's recruiters and the school's staff
school-approver-by-the-school = the school's approver is designated by the school's staff
the-school-s-approver-signs-for-it = the staff member the agreement names as the school's approver signs for the school
placement-terminated-by-the-parties = a placement is terminated by the hosting organisation's recruiters or the school's staff
database-does-not-answer = the database does not answer
idempotency-key-required = send an Idempotency-Key header (1 to 200 characters) so the request can be retried
note-too-long = note is at most { $max } characters
assignments-readers = the organiser, the students placed and the recruiters of the offers read assignments
not-on-school-roster = no student with this number and e-mail on that school's roster
unknown-skill = unknown skill "{ $name }"
unknown-skill-did-you-mean = unknown skill "{ $name }"; did you mean { $close }?

## Webhook subscriptions.
only-admins-recruiters-and-school-staff-subscribe = only admins (for partner portals), recruiters and school staff have webhook subscriptions
webhook-event-not-for-owner = a { $owner } subscription does not receive { $event }
webhook-event-listed-twice = this event type is already listed
webhook-url-not-absolute = must be an absolute URL such as https://hooks.example.org/passerelle
webhook-url-https-only = must be an https:// URL
webhook-url-http-or-https = must be an http:// or https:// URL
webhook-url-credentials = must not carry a user name or a password; authenticate deliveries by their signature
webhook-url-fragment = must not have a #fragment
webhook-url-address-refused = deliveries do not go to { $class } addresses
webhook-limit-reached = an owner has at most { $max } webhook subscriptions; delete one first
webhook-disabled-enable-it-first = the subscription is disabled; enable it first
webhook-delivery-already-pending = this delivery is already waiting to be sent

## Offer alerts.
alert-min-score-out-of-range = the minimum score is on the matching score's scale, from 0 to 1 (0.6 for 60 %)
alert-kind-already-listed = this kind is already listed
alert-portal-required = name the partner portal to notify when alerts are on
alert-portal-unknown = no partner portal is named "{ $name }"
only-the-student-sets-their-alerts = only the student reads and sets their offer alerts

## Requests the routes refuse before any use case.
no-resource-at = no resource at { $path }
method-not-allowed-here = { $method } is not allowed here; use { $allow }
body-larger-than-limit = the body is larger than the limit of { $limit } bytes
body-not-valid-json-at = the body is not valid JSON (line { $line }, column { $column })
limit-out-of-range = limit must be between 1 and { $max }
cursor-not-from-this-list = cursor is not one this service returned for this list with this order and these filters; start again without a cursor

## The OpenAPI document: tag descriptions (first paragraph) and operation summaries.

doc-tag-health = Liveness and readiness
doc-tag-reference = Skill taxonomy, participating schools, AXA organisations
doc-tag-skills = Skills named in free text, to pre-fill requirements or a profile; nothing is saved
doc-tag-trainings = Training catalogue of the schools and AXA organisations: programmes, certificates and modules and the skills they teach
doc-tag-auth = Accounts, activation, tokens
doc-tag-admin = Operator endpoints: schools, organisations, staff accounts, taxonomy
doc-tag-students = Student profiles, skills and consents
doc-tag-offers = Internship and work-study offers
doc-tag-matching = Ranked offers and candidates by skill tags, with explanations.
doc-tag-applications = Applications of students to offers and their life cycle
doc-tag-placements = Placements and their tripartite agreements: terms, amendments, signatures
doc-tag-personal-data = A student's rights under law 09-08: access (export), who read the profile, erasure
doc-tag-reports = Placement rates and the skills gap, in JSON or CSV; anonymised for the committee
doc-tag-campaigns = Allocation campaigns: a cohort placed at once, fairly and stably.
doc-tag-webhooks = Webhook subscriptions: signed events, delivered at least once

doc-summary-live = The process is up. It never touches the database.
doc-summary-ready = The service can answer requests: the database answers a query.
doc-summary-list-skills = List the skill taxonomy, ordered by slug.
doc-summary-get-skill = One skill, by slug or alias.
doc-summary-suggest-skills = Find the taxonomy skills a text names.
doc-summary-list-schools = List the participating schools, ordered by code.
doc-summary-list-organisations = List the AXA organisations, ordered by code.
doc-summary-login = Sign in with e-mail and password.
doc-summary-refresh = Exchange a refresh token for a new pair.
doc-summary-logout = Sign out: revoke the refresh token's family.
doc-summary-logout-all = Sign out everywhere: revoke every access and refresh token of the caller.
doc-summary-change-password = Change the caller's password.
doc-summary-activate-student = Create a student account from the school's roster.
doc-summary-activate-staff = Set a staff account's password with the one-time activation token.
doc-summary-me = The caller's own account.
doc-summary-create-staff-account = Create a recruiter, school staff, committee or admin account.
doc-summary-reissue-activation = Issue a new activation token for a staff account that has not set its password yet (the first one was lost or expired).
doc-summary-disable-account = Disable an account: it can no longer sign in, and every token it holds is refused from the next request on, on every server process.
doc-summary-create-school = Add a participating school.
doc-summary-patch-school = Rename a school or change its city or kind.
doc-summary-create-organisation = Add an AXA organisation.
doc-summary-patch-organisation = Rename an organisation or change its city.
doc-summary-create-skill = Add a skill to the taxonomy.
doc-summary-patch-skill = Change a skill's labels, domain or parent.
doc-summary-add-skill-alias = Add an alias to a skill: wherever skills are given, the alias then names it.
doc-summary-import-roster = Import or update a school's roster.
doc-summary-roster-template = Download the roster template of a school.
doc-summary-my-profile = The signed-in student's own profile.
doc-summary-list-students = List students.
doc-summary-get-student = A student's profile.
doc-summary-erase-student = Erase a student's personal data (right to erasure, law 09-08).
doc-summary-patch-student = Change a student's profile.
doc-summary-put-skills = Replace a student's skills.
doc-summary-get-alerts = A student's offer alerts.
doc-summary-put-alerts = Set a student's offer alerts.
doc-summary-export-student = Everything held about a student (right of access, law 09-08).
doc-summary-list-profile-views = Who read a student's profile.
doc-summary-list-trainings = List the catalogue, by id.
doc-summary-create-training = Add a training to the catalogue.
doc-summary-get-training = One training.
doc-summary-patch-training = Change a training.
doc-summary-list-offers = List offers.
doc-summary-create-offer = Post a new offer, as a draft.
doc-summary-get-offer = One offer.
doc-summary-patch-offer = Change an offer.
doc-summary-publish-offer = Publish a draft: it becomes open to applications.
doc-summary-close-offer = Close an offer: no more applications.
doc-summary-offers-for-student = Open offers ranked for a student, eligible ones only, each with its explanation.
doc-summary-explain-pair = The score and explanation of one offer for a student, eligible or not: the gap view, showing what is met and what is missing. `suggested_trainings` lists every skill missing or held below its level, required ones first, each with the trainings of the catalogue teaching it, or a narrower one, up to the level asked.
doc-summary-candidates-for-offer = Eligible candidates ranked for an offer: students who consented to be discoverable, or who applied to it, each with the explanation.
doc-summary-create-application = Apply to an offer.
doc-summary-list-applications = List applications, oldest first.
doc-summary-get-application = One application.
doc-summary-transition-application = Move an application to another status.
doc-summary-list-application-events = The history of an application, oldest first: who moved it, from what, to what, when, and why.
doc-summary-list-placements = List placements, oldest first.
doc-summary-get-placement = One placement, with the current terms and signatures and every earlier version of the agreement.
doc-summary-patch-placement = Change the terms of the agreement.
doc-summary-sign-placement = Sign the current version of the agreement.
doc-summary-terminate-placement = End a placement early, with a reason.
doc-summary-agreement-pdf = Download one version of the agreement as a PDF.
doc-summary-verify-agreement = Which versions of the agreement exist, their documents' hashes and who signed which.
doc-summary-school-placement-stats = A school's placement statistics.
doc-summary-placement-rates = Placement rates of every school and of the network.
doc-summary-skills-gap = The skills gap: what offers ask against what seeking students hold.
doc-summary-training-needs = Training needs: which skills to teach next. Per skill, and per domain, the seeking students it stands in the way of, the positions they would reach, against the seats of the catalogue's trainings that teach it.
doc-summary-list-campaigns = List campaigns, newest first.
doc-summary-create-campaign = Open a campaign.
doc-summary-get-campaign = One campaign, with its offers, and the figures and cutoffs of the last run.
doc-summary-put-preferences = Rank offers of the campaign, best first (replaces the student's earlier choices).
doc-summary-my-preferences = The calling student's choices, with their match scores and eligibility now.
doc-summary-get-ranking = The recruiter's ranking of one offer of the campaign, and every candidate (student who ranked the offer) with their match score.
doc-summary-put-ranking = Rank or exclude candidates of one offer (replaces the earlier decisions).
doc-summary-run-campaign = Run the allocation on the preferences and rankings as they are now.
doc-summary-list-assignments = The assignments of the last run, by student id.
doc-summary-publish-campaign = Publish the last run: every assignment becomes an application in state `offered` (an application the student had already made to that offer is moved to `offered`), which the student accepts or declines as usual; accepting takes a position and opens the placement. The campaign is then final.
doc-summary-list-webhooks = List the caller's webhook subscriptions, by id.
doc-summary-create-webhook = Register a webhook subscription.
doc-summary-get-webhook = One of the caller's webhook subscriptions.
doc-summary-delete-webhook = Delete one of the caller's webhook subscriptions and its delivery log.
doc-summary-patch-webhook = Change one of the caller's webhook subscriptions.
doc-summary-rotate-secret = Issue a new signing secret.
doc-summary-ping-webhook = Send a test event.
doc-summary-list-deliveries = The delivery log of a subscription, newest first.
doc-summary-redeliver = Send a delivery again.

## Field rules of the domain.

between = must be between { $min } and { $max }
from-to = must be from { $min } to { $max }
one-of = must be one of { $values }
at-most-mad = must be at most { $max } MAD
at-most-languages = at most { $max } languages
at-most-requirements = at most { $max } skill requirements
at-most-skills = at most { $max } skills
at-most-entries = at most { $max } entries
at-most-dates = at most { $max } dates
skills-from-to = from { $min } to { $max } skills
deadline-after-start-date = the deadline must not be after the start date
end-date-after-start-date = the end date must be after the start date
monthly-stipend-at-most = the monthly stipend must be at most { $max } MAD
available-until-before-from = must not be before the availability start
student-number-format = only letters, digits, '-', '_' and '/'
training-link-format = an https:// address without spaces, at most { $max } characters
campaign-name-length = name is 1 to { $max } characters
campaign-offers-one-of = give either offer_ids or offer_filter, not both and not neither
campaign-offers-count = offer_ids holds 1 to { $max } offers
campaign-max-choices = max_choices must be between 1 and { $max }
campaign-seed = seed must be between 0 and { $max }
offer-listed-twice = offer { $offer } is listed twice
campaign-at-most-choices = this campaign takes at most { $max } choices
offer-not-in-campaign = offer { $offer } is not in this campaign
not-eligible-for-offer = you are not eligible for offer { $offer } (its hard filters or required skills)
student-listed-twice = student { $student } is listed twice
student-did-not-rank = student { $student } did not rank this offer in the campaign
date-between = must be a date between { $earliest } and { $latest }
no-such-school = no such school
no-such-organisation = no such organisation
no-such-skill = no such skill
students-activate-from-roster = students activate their account from their school's roster
role-needs-it = a { $role } account needs it
role-has-none = a { $role } account has none
sort-newest-or-deadline = sort is newest or deadline
exactly-one-provider = give exactly one of school_id and organisation_id
report-to-before-from = to must not be before from
report-at-most-ten-years = a report covers at most ten years
report-cohort-or-period = give a cohort, a period (from, to) or both
field-at-most = { $field } is at most { $max } characters
control-character = must not contain control characters (found { $found })
control-character-multi-line = must not contain control characters other than line breaks and tabs (found { $found })
roster-json-shape = the body must be an object {"{"} "rows": [ … ] {"}"} whose rows are objects of column names and text values
body-must-be-json = the body must be JSON, sent as Content-Type: application/json
already-names-a-skill = { $name } already names a skill
