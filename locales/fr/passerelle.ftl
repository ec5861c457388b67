# Passerelle : les textes en français.
# Chaque identifiant existe aussi dans locales/en/passerelle.ftl, avec les mêmes variables.

## Types de problème : le titre, puis ce que fait le client.

problem-bad-request = Requête incorrecte
problem-bad-request-description = La requête est illisible : un corps qui n'est pas du JSON, ou un en-tête absent ou mal formé (le détail dit lequel). Corrigez la requête ; la renvoyer telle quelle échoue de nouveau.
problem-invalid-parameters = Paramètres invalides
problem-invalid-parameters-description = Un paramètre de chemin ou de requête enfreint une règle. `errors` les liste chacun avec son `field` (le nom du paramètre), un `code` et un message disant ce qui est accepté.
problem-unauthenticated = Authentification requise
problem-unauthenticated-description = Aucun jeton d'accès, ou un jeton invalide, expiré ou révoqué. Connectez-vous (`POST /api/v1/auth/login`) ou renouvelez le jeton (`POST /api/v1/auth/refresh`) puis réessayez.
problem-wrong-credentials = E-mail ou mot de passe incorrect
problem-wrong-credentials-description = La connexion a échoué : l'e-mail est inconnu ou le mot de passe est faux (la réponse ne dit pas lequel). Les échecs répétés sont freinés.
problem-forbidden = Interdit
problem-forbidden-description = L'appelant est connu mais cette action ne lui revient pas. Pour le déplacement d'une candidature, `allowed` liste les déplacements qu'il peut faire à la place.
problem-not-found = Introuvable
problem-not-found-description = Rien ne porte cet identifiant dans ce que l'appelant peut voir. Un autre appelant peut le voir.
problem-method-not-allowed = Méthode non autorisée
problem-method-not-allowed-description = Le chemin existe mais pas avec cette méthode HTTP ; l'en-tête `Allow` liste les méthodes qu'il accepte.
problem-request-timeout = Délai de requête dépassé
problem-request-timeout-description = Le corps n'est pas arrivé à temps. Réessayez.
problem-conflict = Conflit
problem-conflict-description = La requête est valide mais l'état actuel la refuse (un doublon, un déplacement que la machine à états n'a pas, plus de poste libre). `allowed` liste ce que l'état permet, lorsqu'il s'agit d'un état.
problem-payload-too-large = Corps trop volumineux
problem-payload-too-large-description = Le corps dépasse ce que l'opération accepte. Envoyez moins, par exemple une liste d'étudiants en plusieurs imports.
problem-uri-too-long = URI trop longue
problem-uri-too-long-description = L'adresse de la requête est plus longue que ce que le service lit. Envoyez des paramètres plus courts.
problem-unsupported-media-type = Type de média non pris en charge
problem-unsupported-media-type-description = Le corps a été envoyé avec un `Content-Type` que l'opération n'accepte pas (JSON, ou CSV lorsque c'est indiqué).
problem-precondition-failed = Précondition non remplie
problem-precondition-failed-description = Le `If-Match` envoyé ne correspond pas à l'`ETag` actuel : la ressource a changé depuis sa lecture. Relisez-la, puis réessayez.
problem-precondition-required = Précondition requise
problem-precondition-required-description = Cette écriture demande un en-tête `If-Match` portant l'`ETag` de la version lue.
problem-validation = Échec de la validation
problem-validation-description = Un champ du corps enfreint une règle. `errors` les liste chacun avec son `field` (un chemin JSON comme `requirements[2].min_level`), un `code` et un message disant ce qui est accepté.
problem-too-many-requests = Trop de requêtes
problem-too-many-requests-description = La limite de débit de cette opération est atteinte. Attendez le nombre de secondes indiqué par `Retry-After`.
problem-unavailable = Service indisponible
problem-unavailable-description = La base de données est injoignable ou la requête a pris trop de temps. Réessayez plus tard ; rien n'a été fait à moitié.
problem-internal = Erreur interne du serveur
problem-internal-description = Une erreur inattendue. Citez le `request_id` en la signalant ; la cause est dans les journaux du service sous cet identifiant.
problem-client-error = Erreur du client
problem-client-error-description = La requête a été refusée ; le statut et le détail disent pourquoi.

## Détails communs à beaucoup de réponses.

detail-internal = une erreur inattendue s'est produite ; citez l'identifiant de la requête en la signalant
detail-wrong-credentials = l'e-mail ou le mot de passe est incorrect
detail-too-many-requests = limite de débit atteinte ; réessayez dans { $seconds } s
not-found = { $what } introuvable

## Ce qui est introuvable : les noms de not-found.

thing-account = compte
thing-application = candidature
thing-campaign = campagne
thing-delivery = livraison
thing-offer = offre
thing-offer-in-campaign = offre dans cette campagne
thing-organisation = organisation
thing-placement = stage
thing-problem-type = type de problème
thing-school = école
thing-skill = compétence
thing-student = étudiant
thing-student-profile = profil étudiant
thing-profile-or-offer-indexed = profil étudiant ou offre de l'index de correspondance
thing-training = formation
thing-webhook = abonnement webhook

## Règles des champs (errors[].message).

required = ne doit pas être vide
too-short = doit comporter au moins { $min } caractères
too-long = doit comporter au plus { $max } caractères
the-key = la clé { $rule }
problem-page-footer = Type de problème <code>/problems/{ $slug }</code> de l'API Passerelle, envoyé comme document RFC 9457 <code>application/problem+json</code>.

## Colonnes des rapports (la ligne d'en-tête des fichiers CSV et des classeurs).

column-scope = périmètre
column-group = groupe
column-school = école
column-period = période
column-kind = type
column-month = mois
column-skill = compétence
column-label-fr = libellé_fr
column-label-en = libellé_en
column-domain = domaine
column-level = niveau
column-demand-required = demande_requise
column-demand-preferred = demande_souhaitée
column-demand = demande
column-supply = offre_étudiants
column-ratio = ratio
column-students-seeking = étudiants_en_recherche
column-students-placed = étudiants_placés
column-placement-rate = taux_de_placement
column-students-with-applications = étudiants_ayant_candidaté
column-applications = candidatures
column-offers-received = offres_reçues
column-median-days-to-first-acceptance = délai_médian_première_acceptation_jours
column-students = étudiants
column-positions = postes
column-seats = places
column-trainings = formations
column-suppressed = masqué

## Classeurs : noms des feuilles (31 caractères au plus) et titres des graphiques.

sheet-placement-stats = Statistiques de placement
sheet-placement-rates = Taux de placement
sheet-skills-gap = Écart de compétences
sheet-training-needs = Besoins de formation
chart-placement-rate = Taux de placement

## Refus et règles de champ, un texte chacun.

a-school-already-has-this-code = une école a déjà ce code
an-account-already-uses-this-email = un compte utilise déjà cet e-mail
an-admin-cannot-disable-their-own-account = un administrateur ne peut pas désactiver son propre compte
an-application-of-the-campaign-was-moved-meanwhile-publish = une candidature de la campagne a changé d'état entre-temps ; publiez de nouveau
an-organisation-already-has-this-code = une organisation a déjà ce code
applications-and-placements-are-not-readable-with-this-role = les candidatures et les stages ne sont pas lisibles avec ce rôle
at-least-one-skill-requirement = au moins une compétence requise
closes-at-must-be-after-opens-at = closes_at doit être postérieur à opens_at
current-password-is-not-the-account-s-password = current_password n'est pas le mot de passe du compte
each-date-once = chaque date une seule fois
give-a-title-or-a-description = donnez un titre ou une description
letters-digits-and-only = lettres, chiffres et - uniquement
must-be-a-year-e-g-2026 = doit être une année, par exemple 2026
must-be-an-http-or-https-link = doit être un lien http ou https
must-be-from-1-to-5 = doit être entre 1 et 5
must-not-be-in-the-past = ne doit pas être dans le passé
name-the-company-tutor-and-the-academic-referent-before = désignez le tuteur en entreprise et le référent pédagogique avant de signer
needed-to-publish = nécessaire pour publier
no-position-left-on-this-offer = plus aucun poste libre sur cette offre
no-such-provider = fournisseur inconnu
not-an-email-address = pas une adresse e-mail
only-admins-and-school-staff-organise-campaigns = seuls les administrateurs et le personnel des écoles organisent des campagnes
only-an-administrator-may-do-this = seul un administrateur peut faire cela
only-recruiters-of-the-offer-s-organisation-change-it = seuls les recruteurs de l'organisation de l'offre la modifient
only-recruiters-of-the-offer-s-organisation-rank-its = seuls les recruteurs de l'organisation de l'offre classent ses candidats
only-recruiters-post-offers = seuls les recruteurs publient des offres
only-school-staff-and-admins-list-students = seuls le personnel des écoles et les administrateurs listent les étudiants
only-school-staff-recruiters-and-admins-add-trainings = seuls le personnel des écoles, les recruteurs et les administrateurs ajoutent des formations
only-school-staff-the-committee-and-admins-read-the = seuls le personnel des écoles, le comité et les administrateurs lisent l'écart de compétences
school-staff-read-their-own-school-s-training-needs = le personnel d'une école ne lit que les besoins de formation de sa propre école
only-school-staff-the-committee-and-admins-read-training-needs = seuls le personnel des écoles, le comité et les administrateurs lisent les besoins de formation
only-students-apply-to-offers = seuls les étudiants postulent aux offres
only-the-campaign-s-organiser-its-school-s-staff = seul l'organisateur de la campagne (le personnel de son école, ou un administrateur) fait cela
only-the-committee-and-admins-read-network-reports = seuls le comité et les administrateurs lisent les rapports du réseau
only-the-provider-s-staff-and-admins-change-a = seuls le personnel du fournisseur et les administrateurs modifient une formation
only-the-school-s-staff-the-committee-and-admins = seuls le personnel de l'école, le comité et les administrateurs lisent ses statistiques
only-the-student-and-admins-exercise-the-student-s = seuls l'étudiant et les administrateurs exercent les droits de l'étudiant sur ses données
only-the-student-edits-their-profile = seul l'étudiant modifie son profil
only-the-student-edits-their-skills = seul l'étudiant modifie ses compétences
only-the-student-the-school-and-the-organisation-sign = seuls l'étudiant, l'école et l'organisation signent
only-the-students-the-campaign-places-rank-its-offers = seuls les étudiants que la campagne place classent ses offres
only-this-school-s-staff-may-manage-its-roster = seul le personnel de cette école gère sa liste d'étudiants
school-staff-organise-campaigns-for-their-own-school-only = le personnel d'une école n'organise des campagnes que pour sa propre école
send-an-access-token-as-authorization-bearer-token = envoyez un jeton d'accès sous la forme `Authorization: Bearer <token>`
the-access-token-has-been-revoked = le jeton d'accès a été révoqué
the-access-token-is-invalid = le jeton d'accès est invalide
the-access-token-is-invalid-or-expired = le jeton d'accès est invalide ou expiré
the-activation-token-is-invalid-used-or-expired = le jeton d'activation est invalide, déjà utilisé ou expiré
the-application-was-moved-meanwhile-read-it-again = la candidature a changé d'état entre-temps ; relisez-la
the-authorization-header-is-not-bearer-token = l'en-tête Authorization n'est pas de la forme `Bearer <token>`
the-body-could-not-be-read = le corps n'a pas pu être lu
the-body-is-not-a-readable-xlsx-workbook = le corps n'est pas un classeur .xlsx lisible
the-body-is-not-valid-json-it-ends-too = le corps n'est pas du JSON valide : il se termine trop tôt
the-body-must-be-a-json-object = le corps doit être un objet JSON
the-campaign-is-published-its-inputs-and-results-are = la campagne est publiée ; ses données et ses résultats sont définitifs
the-campaign-was-published-meanwhile = la campagne a été publiée entre-temps
the-campaign-was-run-changed-or-published-meanwhile = la campagne a été exécutée, modifiée ou publiée entre-temps
the-committee-reads-aggregated-reports-only = le comité ne lit que des rapports agrégés
the-deadline-to-apply-has-passed = la date limite de candidature est passée
the-idempotency-key-must-be-1-to-200-visible = l'Idempotency-Key doit comporter de 1 à 200 caractères ASCII visibles
the-offer-changed-meanwhile-read-it-again = l'offre a changé entre-temps ; relisez-la
the-placement-changed-meanwhile-read-it-again = le stage a changé entre-temps ; relisez-le
the-placement-is-changing-right-now-retry-shortly = le stage est en cours de modification ; réessayez dans un instant
the-refresh-token-is-invalid-expired-or-revoked = le jeton de renouvellement est invalide, expiré ou révoqué
the-student-applied-to-the-offer-meanwhile-publish-again = l'étudiant a postulé à l'offre entre-temps ; publiez de nouveau
this-account-has-no-student-profile = ce compte n'a pas de profil étudiant
this-account-is-already-activated = ce compte est déjà activé
this-account-no-longer-exists = ce compte n'existe plus
this-city-is-already-listed = cette ville figure déjà dans la liste
this-language-is-already-listed = cette langue figure déjà dans la liste
this-skill-is-already-listed = cette compétence figure déjà dans la liste
this-skill-is-already-required = cette compétence est déjà requise
this-student-already-has-an-account-sign-in-instead = cet étudiant a déjà un compte ; connectez-vous plutôt
trainings-are-added-for-your-own-school-or-organisation = les formations s'ajoutent pour votre propre école ou organisation
you-already-applied-to-this-offer = vous avez déjà postulé à cette offre
weekly-hours-out-of-range = la durée hebdomadaire doit être comprise entre 1 et { $max } heures
school-approver-unknown = aucun compte ne porte ce numéro
school-approver-not-of-the-school = la personne qui approuve doit appartenir au personnel de l'école de l'étudiant
school-approver-disabled = ce compte du personnel est désactivé

## Refus qui citent la demande ou l'état. Les valeurs d'état restent des codes.

offer-cannot-become = une offre { $status } ne peut pas passer à { $to }
offer-cannot-be-changed = une offre { $status } ne peut pas être modifiée
positions-already-taken = { $taken ->
    [one] { $taken } poste est déjà pourvu
   *[other] { $taken } postes sont déjà pourvus
}
offer-not-open-to-applications = l'offre est { $status } : elle n'est pas ouverte aux candidatures
application-move-not-yours = faire passer une candidature de { $from } à { $to } ne vous revient pas
application-cannot-move = une candidature ne peut pas passer de { $from } à { $to }
placement-does-not-change = un stage { $status } ne change plus
placement-takes-no-signature = un stage { $status } ne se signe plus
placement-cannot-be-terminated = un stage { $status } ne peut pas être résilié
party-already-signed = la partie { $party } a déjà signé la version { $version }
document-signed-is-not-current = le document signé n'est pas celui de la version en cours ; téléchargez de nouveau la convention et signez celle-ci
must-be-a-sha256 = doit être l'empreinte SHA-256 du document, en 64 chiffres hexadécimaux
no-school-has-id = aucune école n'a l'identifiant { $id }
offer-is-not-open = l'offre { $id } n'est pas une offre ouverte
no-open-offer-matches-the-filter = aucune offre ouverte ne correspond au filtre
filter-matches-too-many-offers = le filtre retient plus de { $max } offres
preference-window-not-open = preference_window_not_open : les préférences sont reçues à partir du { $opens }
preference-window-closed = preference_window_closed : les préférences étaient reçues jusqu'au { $closes }
preference-window-open = preference_window_open : publiez après la fermeture de la période des préférences, le { $closes }

## Imports de listes d'étudiants : une ligne, une colonne, une valeur.

roster-column-missing = ligne 1 : la colonne { $column } manque
roster-unknown-column = ligne { $line } : colonne inconnue { $column } ; les colonnes sont { $columns }
roster-line = ligne { $line } : { $reason }
roster-cell = ligne { $line }, colonne { $column }, valeur "{ $value }" : { $reason }
roster-cell-count = { $len } cellules alors que l'en-tête en compte { $expected }
roster-line-not-csv = la ligne ne se lit pas comme du CSV
roster-unreadable-header = en-tête CSV illisible : { $reason }
roster-appears-twice = figure deux fois dans le fichier
roster-email-of-student = appartient à l'étudiant { $owner }
roster-emails-taken = rien n'a été importé : le nouvel e-mail d'un étudiant activé est l'e-mail de connexion d'un autre compte : { $emails }
roster-media-types = envoyez la liste en text/csv, application/json ou { $xlsx }

## La demande elle-même.

url-too-long = le chemin et la requête font { $length } octets ; au plus { $max } sont acceptés
body-too-large = le corps dépasse la limite de { $limit } octets

## Un corps ou une requête qui ne correspond pas à son type. Les noms des champs restent tels qu'envoyés.

the-body = le corps
the-query = la requête
is-required = { $field } est obligatoire
unknown-field = { $field } n'est pas un champ ici ; les champs sont : { $known }
unknown-field-none = { $field } n'est pas un champ ici ; aucun champ n'est accepté ici
unknown-parameter = { $field } n'est pas un paramètre de cette opération ; les paramètres sont : { $known }
unknown-parameter-none = { $field } n'est pas un paramètre de cette opération ; aucun paramètre n'est accepté ici
must-be-one-of = { $field } doit valoir l'une de ces valeurs : { $values }
must-be = { $field } doit être { $kind }
not-a-valid-value = { $field } n'est pas une valeur valide : { $reason }
kind-whole-number = un nombre entier
kind-number = un nombre
kind-true-or-false = true ou false
kind-list = une liste
kind-object = un objet
kind-string = une chaîne de caractères
invalid-updated-since = updated_since est une date-heure RFC 3339, par exemple 2026-12-01T08:00:00Z

## Versions, santé et refus côté recrutement.
if-match-required = envoyez If-Match avec l'ETag que vous avez lu
changed-since-read-now = la ressource a changé depuis votre lecture ; elle est maintenant { $etag }
placement-changed-since-read = le stage a changé depuis votre lecture ; relisez-le
profile-changed-since-read = le profil a changé depuis votre lecture
offer-changed-since-read = l'offre a changé depuis votre lecture
placement-terms-by-the-parties = les conditions sont fixées par les recruteurs de l'organisme d'accueil et le personnel de l'école
school-approver-by-the-school = la personne qui approuve pour l'école est désignée par le personnel de l'école
the-school-s-approver-signs-for-it = seule la personne que la convention désigne pour approuver au nom de l'école signe pour elle
placement-terminated-by-the-parties = un stage est résilié par les recruteurs de l'organisme d'accueil ou le personnel de l'école
database-does-not-answer = la base de données ne répond pas
idempotency-key-required = envoyez un en-tête Idempotency-Key (1 à 200 caractères) pour que la requête puisse être rejouée
note-too-long = note compte au plus { $max } caractères
assignments-readers = l'organisateur, les étudiants placés et les recruteurs des offres lisent les affectations
not-on-school-roster = aucun étudiant avec ce numéro et cette adresse e-mail sur la liste de cette école
unknown-skill = compétence inconnue « { $name } »
unknown-skill-did-you-mean = compétence inconnue « { $name } » ; vouliez-vous dire { $close } ?

## Webhook subscriptions.
only-admins-recruiters-and-school-staff-subscribe = seuls les administrateurs (pour les portails partenaires), les recruteurs et le personnel des écoles ont des abonnements webhook
webhook-event-not-for-owner = un abonnement { $owner } ne reçoit pas { $event }
webhook-event-listed-twice = ce type d'événement figure déjà dans la liste
webhook-url-not-absolute = doit être une URL absolue comme https://hooks.example.org/passerelle
webhook-url-https-only = doit être une URL https://
webhook-url-http-or-https = doit être une URL http:// ou https://
webhook-url-credentials = ne doit porter ni nom d'utilisateur ni mot de passe ; les livraisons s'authentifient par leur signature
webhook-url-fragment = ne doit pas avoir de #fragment
webhook-url-address-refused = les livraisons ne vont pas vers des adresses { $class }
webhook-limit-reached = un propriétaire a au plus { $max } abonnements webhook ; supprimez-en un d'abord
webhook-disabled-enable-it-first = l'abonnement est désactivé ; activez-le d'abord
webhook-delivery-already-pending = cette livraison attend déjà d'être envoyée
## Alertes d'offres.
alert-min-score-out-of-range = le score minimal est sur l'échelle du score de correspondance, de 0 à 1 (0,6 pour 60 %)
alert-kind-already-listed = ce type est déjà dans la liste
alert-portal-required = indiquez le portail partenaire à prévenir quand les alertes sont activées
alert-portal-unknown = aucun portail partenaire ne s'appelle « { $name } »
only-the-student-sets-their-alerts = seul l'étudiant consulte et règle ses alertes d'offres

## Requests the routes refuse before any use case.
no-resource-at = aucune ressource à { $path }
method-not-allowed-here = { $method } n'est pas permis ici ; utilisez { $allow }
body-larger-than-limit = le corps dépasse la limite de { $limit } octets
body-not-valid-json-at = le corps n'est pas du JSON valide (ligne { $line }, colonne { $column })
limit-out-of-range = limit doit être entre 1 et { $max }
cursor-not-from-this-list = ce curseur n'est pas un de ceux que le service a rendus pour cette liste, cet ordre et ces filtres ; recommencez sans curseur

## Le document OpenAPI : descriptions des étiquettes (premier paragraphe) et résumés des opérations.

doc-tag-health = État du service et disponibilité
doc-tag-reference = Référentiel de compétences, écoles participantes, entités AXA
doc-tag-skills = Compétences nommées dans un texte libre, pour pré-remplir des exigences ou un profil ; rien n’est enregistré
doc-tag-trainings = Catalogue de formations des écoles et des entités AXA : programmes, certificats et modules, et les compétences qu’ils enseignent
doc-tag-auth = Comptes, activation, jetons
doc-tag-admin = Opérations : écoles, entités, comptes du personnel, référentiel
doc-tag-students = Profils, compétences et consentements des étudiants
doc-tag-offers = Offres de stage et d’alternance
doc-tag-matching = Offres et candidats classés par compétences, avec leurs explications.
doc-tag-applications = Candidatures des étudiants aux offres et leur cycle de vie
doc-tag-placements = Placements et leurs conventions tripartites : conditions, avenants, signatures
doc-tag-personal-data = Les droits de l’étudiant selon la loi 09-08 : accès (export), qui a consulté le profil, effacement
doc-tag-reports = Taux de placement et écart de compétences, en JSON, CSV ou classeur ; anonymisés pour le comité
doc-tag-campaigns = Campagnes d’affectation : une promotion placée d’un coup, de façon équitable et stable.
doc-tag-webhooks = Abonnements webhook : événements signés, livrés au moins une fois

doc-summary-live = Le processus répond. Il ne touche jamais la base de données.
doc-summary-ready = Le service peut répondre : la base de données répond à une requête.
doc-summary-list-skills = Liste du référentiel de compétences, par identifiant.
doc-summary-get-skill = Une compétence, par identifiant ou par alias.
doc-summary-suggest-skills = Les compétences du référentiel nommées dans un texte.
doc-summary-list-schools = Liste des écoles participantes, par code.
doc-summary-list-organisations = Liste des entités AXA, par code.
doc-summary-login = Se connecter par e-mail et mot de passe.
doc-summary-refresh = Échanger un jeton de renouvellement contre une nouvelle paire.
doc-summary-logout = Se déconnecter : révoquer la famille du jeton de renouvellement.
doc-summary-logout-all = Se déconnecter partout : révoquer tous les jetons de l’appelant.
doc-summary-change-password = Changer le mot de passe de l’appelant.
doc-summary-activate-student = Créer un compte étudiant à partir de la liste de l’école.
doc-summary-activate-staff = Choisir le mot de passe d’un compte du personnel avec le jeton d’activation à usage unique.
doc-summary-me = Le compte de l’appelant.
doc-summary-create-staff-account = Créer un compte recruteur, personnel d’école, comité ou administrateur.
doc-summary-reissue-activation = Émettre un nouveau jeton d’activation pour un compte du personnel qui n’a pas encore choisi son mot de passe.
doc-summary-disable-account = Désactiver un compte : il ne peut plus se connecter et ses jetons sont refusés dès la requête suivante.
doc-summary-create-school = Ajouter une école participante.
doc-summary-patch-school = Renommer une école ou changer sa ville ou son type.
doc-summary-create-organisation = Ajouter une entité AXA.
doc-summary-patch-organisation = Renommer une entité ou changer sa ville.
doc-summary-create-skill = Ajouter une compétence au référentiel.
doc-summary-patch-skill = Changer les libellés, le domaine ou le parent d’une compétence.
doc-summary-add-skill-alias = Ajouter un alias à une compétence.
doc-summary-import-roster = Importer ou mettre à jour la liste des étudiants d’une école.
doc-summary-roster-template = Télécharger le modèle de liste d’une école.
doc-summary-my-profile = Le profil de l’étudiant connecté.
doc-summary-list-students = Liste des étudiants.
doc-summary-get-student = Le profil d’un étudiant.
doc-summary-erase-student = Effacer les données personnelles d’un étudiant (droit à l’effacement, loi 09-08).
doc-summary-patch-student = Modifier le profil d’un étudiant.
doc-summary-put-skills = Remplacer les compétences d’un étudiant.
doc-summary-get-alerts = Les alertes d’offres d’un étudiant.
doc-summary-put-alerts = Régler les alertes d’offres d’un étudiant.
doc-summary-export-student = Tout ce qui est détenu sur un étudiant (droit d’accès, loi 09-08).
doc-summary-list-profile-views = Qui a consulté le profil d’un étudiant.
doc-summary-list-trainings = Liste du catalogue de formations, par identifiant.
doc-summary-create-training = Ajouter une formation au catalogue.
doc-summary-get-training = Une formation.
doc-summary-patch-training = Modifier une formation.
doc-summary-list-offers = Liste des offres.
doc-summary-create-offer = Déposer une nouvelle offre, en brouillon.
doc-summary-get-offer = Une offre.
doc-summary-patch-offer = Modifier une offre.
doc-summary-publish-offer = Publier un brouillon : l’offre est ouverte aux candidatures.
doc-summary-close-offer = Clore une offre : plus de candidatures.
doc-summary-offers-for-student = Les offres ouvertes classées pour un étudiant, éligibles seulement, chacune avec son explication.
doc-summary-explain-pair = Le score et l’explication d’une offre pour un étudiant, éligible ou non : ce qui est acquis, ce qui manque, et les formations qui le comblent.
doc-summary-candidates-for-offer = Les candidats éligibles classés pour une offre, chacun avec son explication.
doc-summary-create-application = Postuler à une offre.
doc-summary-list-applications = Liste des candidatures, des plus anciennes aux plus récentes.
doc-summary-get-application = Une candidature.
doc-summary-transition-application = Faire passer une candidature à un autre statut.
doc-summary-list-application-events = L’historique d’une candidature : qui l’a fait passer de quel statut à quel autre, quand et pourquoi.
doc-summary-list-placements = Liste des placements, des plus anciens aux plus récents.
doc-summary-get-placement = Un placement, avec ses conditions, ses signatures et chaque version antérieure de la convention.
doc-summary-patch-placement = Modifier les conditions de la convention.
doc-summary-sign-placement = Signer la version en cours de la convention.
doc-summary-terminate-placement = Mettre fin à un placement avant terme, avec un motif.
doc-summary-agreement-pdf = Télécharger une version de la convention en PDF.
doc-summary-verify-agreement = Les versions de la convention, les empreintes de leurs documents et qui a signé quoi.
doc-summary-school-placement-stats = Les statistiques de placement d’une école.
doc-summary-placement-rates = Les taux de placement de chaque école et du réseau.
doc-summary-skills-gap = L’écart de compétences : ce que les offres demandent face à ce que les étudiants en recherche détiennent.
doc-summary-training-needs = Les besoins de formation : quelles compétences enseigner ensuite.
doc-summary-list-campaigns = Liste des campagnes, des plus récentes aux plus anciennes.
doc-summary-create-campaign = Ouvrir une campagne.
doc-summary-get-campaign = Une campagne, avec ses offres, les chiffres et les seuils de sa dernière exécution.
doc-summary-put-preferences = Classer des offres de la campagne, la meilleure d’abord (remplace les choix antérieurs).
doc-summary-my-preferences = Les choix de l’étudiant appelant, avec leurs scores et leur éligibilité actuels.
doc-summary-get-ranking = Le classement du recruteur pour une offre de la campagne, et chaque candidat avec son score.
doc-summary-put-ranking = Classer ou exclure des candidats d’une offre (remplace les décisions antérieures).
doc-summary-run-campaign = Exécuter l’affectation sur les préférences et les classements actuels.
doc-summary-list-assignments = Les affectations de la dernière exécution, par étudiant.
doc-summary-publish-campaign = Publier la dernière exécution : chaque affectation devient une candidature au statut `offered`.
doc-summary-list-webhooks = Liste des abonnements webhook de l’appelant, par identifiant.
doc-summary-create-webhook = Enregistrer un abonnement webhook.
doc-summary-get-webhook = Un abonnement webhook de l’appelant.
doc-summary-delete-webhook = Supprimer un abonnement webhook de l’appelant et son journal de livraisons.
doc-summary-patch-webhook = Modifier un abonnement webhook de l’appelant.
doc-summary-rotate-secret = Émettre un nouveau secret de signature.
doc-summary-ping-webhook = Envoyer un événement de test.
doc-summary-list-deliveries = Le journal de livraisons d’un abonnement, des plus récentes aux plus anciennes.
doc-summary-redeliver = Renvoyer une livraison.

## Règles de champ du domaine.

between = doit être compris entre { $min } et { $max }
from-to = doit aller de { $min } à { $max }
one-of = doit être l’une des valeurs : { $values }
at-most-mad = doit être d’au plus { $max } MAD
at-most-languages = au plus { $max } langues
at-most-requirements = au plus { $max } compétences demandées
at-most-skills = au plus { $max } compétences
at-most-entries = au plus { $max } éléments
at-most-dates = au plus { $max } dates
skills-from-to = de { $min } à { $max } compétences
deadline-after-start-date = la date limite ne doit pas être après la date de début
end-date-after-start-date = la date de fin doit être après la date de début
monthly-stipend-at-most = la gratification mensuelle doit être d’au plus { $max } MAD
available-until-before-from = ne doit pas être avant le début de la disponibilité
student-number-format = uniquement des lettres, des chiffres, « - », « _ » et « / »
training-link-format = une adresse https:// sans espace, d’au plus { $max } caractères
campaign-name-length = le nom compte de 1 à { $max } caractères
campaign-offers-one-of = donnez soit offer_ids, soit offer_filter, pas les deux ni aucun
campaign-offers-count = offer_ids contient de 1 à { $max } offres
campaign-max-choices = max_choices doit être compris entre 1 et { $max }
campaign-seed = seed doit être compris entre 0 et { $max }
offer-listed-twice = l’offre { $offer } figure deux fois
campaign-at-most-choices = cette campagne accepte au plus { $max } choix
offer-not-in-campaign = l’offre { $offer } ne fait pas partie de cette campagne
not-eligible-for-offer = vous n’êtes pas éligible à l’offre { $offer } (ses filtres ou ses compétences requises)
student-listed-twice = l’étudiant { $student } figure deux fois
student-did-not-rank = l’étudiant { $student } n’a pas classé cette offre dans la campagne
date-between = doit être une date comprise entre { $earliest } et { $latest }
no-such-school = cette école n’existe pas
no-such-organisation = cette entité n’existe pas
no-such-skill = cette compétence n’existe pas
students-activate-from-roster = les étudiants activent leur compte à partir de la liste de leur école
role-needs-it = un compte { $role } en a besoin
role-has-none = un compte { $role } n’en a pas
sort-newest-or-deadline = sort vaut newest ou deadline
exactly-one-provider = donnez exactement l’un de school_id et organisation_id
report-to-before-from = to ne doit pas précéder from
report-at-most-ten-years = un rapport couvre au plus dix ans
report-cohort-or-period = donnez une promotion, une période (from, to) ou les deux
field-at-most = { $field } compte au plus { $max } caractères
control-character = ne doit pas contenir de caractères de contrôle (trouvé : { $found })
control-character-multi-line = ne doit pas contenir de caractères de contrôle autres que les sauts de ligne et les tabulations (trouvé : { $found })
roster-json-shape = le corps doit être un objet {"{"} "rows": [ … ] {"}"} dont les lignes sont des objets de noms de colonnes et de valeurs texte
body-must-be-json = le corps doit être du JSON, envoyé avec Content-Type: application/json
already-names-a-skill = { $name } désigne déjà une compétence
