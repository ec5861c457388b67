//! Table definitions shared by both backends; kept by hand in step with
//! `migrations/sqlite` and `migrations/postgres`.

diesel::table! {
    schools (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        city -> Text,
        kind -> Text,
        created_at -> Timestamp,
        postal_address -> Nullable<Text>,
    }
}

diesel::table! {
    organisations (id) {
        id -> BigInt,
        code -> Text,
        name -> Text,
        city -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    skills (id) {
        id -> BigInt,
        slug -> Text,
        label_fr -> Text,
        label_en -> Text,
        domain -> Text,
        parent_id -> Nullable<BigInt>,
        search_text -> Nullable<Text>,
    }
}

diesel::table! {
    skill_aliases (alias) {
        alias -> Text,
        skill_id -> BigInt,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        email -> Text,
        display_name -> Text,
        role -> Text,
        password_hash -> Nullable<Text>,
        school_id -> Nullable<BigInt>,
        organisation_id -> Nullable<BigInt>,
        activation_digest -> Nullable<Text>,
        activation_expires_at -> Nullable<Timestamp>,
        disabled -> Bool,
        created_at -> Timestamp,
        token_version -> BigInt,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        account_id -> BigInt,
        family -> Text,
        digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        token_version -> BigInt,
    }
}

diesel::table! {
    students (id) {
        id -> BigInt,
        school_id -> BigInt,
        student_number -> Text,
        first_name -> Text,
        last_name -> Text,
        email -> Text,
        programme -> Text,
        degree_level -> Text,
        graduation_year -> Integer,
        account_id -> Nullable<BigInt>,
        wanted_kinds -> Text,
        available_from -> Nullable<Date>,
        available_until -> Nullable<Date>,
        cities -> Text,
        remote_ok -> Bool,
        languages -> Text,
        bio -> Text,
        links -> Text,
        discoverable -> Bool,
        seeking -> Bool,
        version -> BigInt,
        erased_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        search_text -> Nullable<Text>,
    }
}

diesel::table! {
    student_skills (student_id, skill_id) {
        student_id -> BigInt,
        skill_id -> BigInt,
        level -> Integer,
    }
}

diesel::table! {
    consent_events (id) {
        id -> BigInt,
        student_id -> BigInt,
        consent -> Text,
        granted -> Bool,
        at -> Timestamp,
    }
}

diesel::table! {
    offers (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        created_by -> BigInt,
        kind -> Text,
        title -> Text,
        description -> Text,
        city -> Text,
        work_mode -> Text,
        start_date -> Nullable<Date>,
        duration_months -> Nullable<Integer>,
        positions -> Integer,
        positions_taken -> Integer,
        min_degree_level -> Nullable<Text>,
        deadline -> Nullable<Date>,
        stipend_mad -> Nullable<Integer>,
        languages -> Text,
        status -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        published_at -> Nullable<Timestamp>,
        search_text -> Nullable<Text>,
    }
}

diesel::table! {
    offer_requirements (offer_id, skill_id) {
        offer_id -> BigInt,
        skill_id -> BigInt,
        min_level -> Integer,
        weight -> Integer,
        required -> Bool,
    }
}

diesel::table! {
    change_feed (id) {
        id -> BigInt,
        entity -> Text,
        entity_id -> BigInt,
        at -> Timestamp,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        offer_id -> BigInt,
        student_id -> BigInt,
        organisation_id -> BigInt,
        status -> Text,
        cover_letter -> Text,
        source -> Text,
        score -> Double,
        explanation -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    application_events (id) {
        id -> BigInt,
        application_id -> BigInt,
        actor_account_id -> BigInt,
        from_status -> Nullable<Text>,
        to_status -> Text,
        note -> Text,
        at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (account_id, key) {
        account_id -> BigInt,
        key -> Text,
        request_hash -> Text,
        state -> Text,
        response_status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    placements (id) {
        id -> BigInt,
        application_id -> BigInt,
        offer_id -> BigInt,
        student_id -> BigInt,
        school_id -> BigInt,
        organisation_id -> BigInt,
        kind -> Text,
        status -> Text,
        current_version -> Integer,
        terminated_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    agreement_versions (placement_id, version) {
        placement_id -> BigInt,
        version -> Integer,
        terms -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    agreement_signatures (placement_id, version, party) {
        placement_id -> BigInt,
        version -> Integer,
        party -> Text,
        account_id -> BigInt,
        signed_at -> Timestamp,
        document_sha256 -> Nullable<Text>,
    }
}

diesel::table! {
    agreement_documents (placement_id, version, language) {
        placement_id -> BigInt,
        version -> Integer,
        language -> Text,
        sha256 -> Text,
        pdf -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    profile_views (id) {
        id -> BigInt,
        student_id -> BigInt,
        viewer_account_id -> BigInt,
        viewer_role -> Text,
        at -> Timestamp,
        reading -> Text,
        offer_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    campaigns (id) {
        id -> BigInt,
        name -> Text,
        school_id -> Nullable<BigInt>,
        created_by -> BigInt,
        opens_at -> Timestamp,
        closes_at -> Timestamp,
        max_choices -> Integer,
        seed -> BigInt,
        status -> Text,
        inputs_version -> BigInt,
        run_inputs_version -> Nullable<BigInt>,
        figures -> Nullable<Text>,
        run_at -> Nullable<Timestamp>,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    campaign_offers (campaign_id, offer_id) {
        campaign_id -> BigInt,
        offer_id -> BigInt,
        capacity -> Nullable<Integer>,
        admitted -> Nullable<Integer>,
        cutoff -> Nullable<Text>,
    }
}

diesel::table! {
    campaign_preferences (campaign_id, student_id, choice_rank) {
        campaign_id -> BigInt,
        student_id -> BigInt,
        choice_rank -> Integer,
        offer_id -> BigInt,
    }
}

diesel::table! {
    campaign_rankings (campaign_id, offer_id, student_id) {
        campaign_id -> BigInt,
        offer_id -> BigInt,
        student_id -> BigInt,
        position -> Nullable<Integer>,
        excluded -> Bool,
    }
}

diesel::table! {
    campaign_assignments (campaign_id, student_id) {
        campaign_id -> BigInt,
        student_id -> BigInt,
        offer_id -> Nullable<BigInt>,
        choice_rank -> Nullable<Integer>,
        outcome -> Text,
        application_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    trainings (id) {
        id -> BigInt,
        school_id -> Nullable<BigInt>,
        organisation_id -> Nullable<BigInt>,
        kind -> Text,
        title_fr -> Text,
        title_en -> Text,
        duration_hours -> Integer,
        mode -> Text,
        start_dates -> Text,
        seats -> Integer,
        link -> Nullable<Text>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    training_skills (training_id, skill_id) {
        training_id -> BigInt,
        skill_id -> BigInt,
        level -> Integer,
    }
}

diesel::table! {
    webhook_subscriptions (id) {
        id -> BigInt,
        owner_kind -> Text,
        owner_id -> Nullable<BigInt>,
        name -> Text,
        url -> Text,
        events -> Text,
        secret -> Text,
        previous_secret -> Nullable<Text>,
        previous_secret_expires_at -> Nullable<Timestamp>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        failing_since -> Nullable<Timestamp>,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_events (id) {
        id -> Text,
        event_type -> Text,
        occurred_at -> Timestamp,
        payload -> Text,
        organisation_id -> Nullable<BigInt>,
        school_id -> Nullable<BigInt>,
        public_offer -> Bool,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> BigInt,
        event_id -> Text,
        subscription_id -> BigInt,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_response_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        last_duration_ms -> Nullable<Integer>,
        created_at -> Timestamp,
        last_attempt_at -> Nullable<Timestamp>,
        delivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    student_alerts (student_id) {
        student_id -> BigInt,
        enabled -> Bool,
        min_score -> Double,
        kinds -> Text,
        portal -> Nullable<Text>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    offer_alerts_sent (student_id, offer_id) {
        student_id -> BigInt,
        offer_id -> BigInt,
        sent_at -> Timestamp,
    }
}

diesel::joinable!(applications -> offers (offer_id));
diesel::joinable!(applications -> students (student_id));
diesel::joinable!(application_events -> applications (application_id));
diesel::joinable!(placements -> students (student_id));
diesel::joinable!(skill_aliases -> skills (skill_id));
diesel::joinable!(accounts -> schools (school_id));
diesel::joinable!(accounts -> organisations (organisation_id));
diesel::joinable!(refresh_tokens -> accounts (account_id));
diesel::joinable!(students -> schools (school_id));
diesel::joinable!(student_skills -> students (student_id));
diesel::joinable!(webhook_deliveries -> webhook_events (event_id));
diesel::joinable!(webhook_deliveries -> webhook_subscriptions (subscription_id));
diesel::joinable!(student_skills -> skills (skill_id));
diesel::joinable!(consent_events -> students (student_id));
diesel::joinable!(offers -> organisations (organisation_id));
diesel::joinable!(offer_requirements -> offers (offer_id));
diesel::joinable!(offer_requirements -> skills (skill_id));
diesel::joinable!(profile_views -> students (student_id));
diesel::joinable!(campaign_offers -> campaigns (campaign_id));
diesel::joinable!(campaign_offers -> offers (offer_id));
diesel::joinable!(campaign_preferences -> campaigns (campaign_id));
diesel::joinable!(campaign_assignments -> campaigns (campaign_id));
diesel::joinable!(campaign_assignments -> students (student_id));
diesel::joinable!(training_skills -> trainings (training_id));
diesel::joinable!(training_skills -> skills (skill_id));
diesel::joinable!(student_alerts -> students (student_id));
diesel::joinable!(offer_alerts_sent -> students (student_id));
diesel::joinable!(offer_alerts_sent -> offers (offer_id));

diesel::allow_tables_to_appear_in_same_query!(
    schools,
    organisations,
    skills,
    skill_aliases,
    accounts,
    refresh_tokens,
    students,
    student_skills,
    consent_events,
    offers,
    offer_requirements,
    change_feed,
    applications,
    application_events,
    idempotency_keys,
    placements,
    agreement_versions,
    agreement_signatures,
    agreement_documents,
    profile_views,
    campaigns,
    campaign_offers,
    campaign_preferences,
    campaign_rankings,
    campaign_assignments,
    trainings,
    training_skills,
    webhook_subscriptions,
    webhook_events,
    webhook_deliveries,
    student_alerts,
    offer_alerts_sent,
);
