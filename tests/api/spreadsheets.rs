//! Rosters and reports as career offices keep them: CSV from a French Excel
//! (Windows-1252, `;`), workbooks in and out, downloads with a file name.

use crate::helpers::*;
use reqwest::Response;
use serde_json::json;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn post_bytes(app: &TestApp, path: &str, token: &str, content_type: &str, body: Vec<u8>) -> Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("request sent")
}

/// The names on the school's roster, by student number, as staff read them back.
async fn names(app: &TestApp, token: &str, school: i64) -> Vec<(String, String, String)> {
    let page = json(app.get(&format!("/api/v1/students?school_id={school}&limit=100"), Some(token)).await).await;
    let mut names: Vec<(String, String, String)> = page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|s| {
            let text = |key: &str| s[key].as_str().unwrap_or_default().to_owned();
            (text("student_number"), text("first_name"), text("last_name"))
        })
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_windows_1252_semicolon_roster_from_a_french_excel_imports_with_its_accents() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let staff = app.staff(&admin, "school_staff", Some(ecc), None).await;
    let text = "student_number;first_name;last_name;email;programme;degree_level;graduation_year\r\n\
                ECC-1;Hélène;Lefèvre;helene@ecc.example.org;Génie civil;bac+5;2027\r\n\
                ECC-2;François;Bençaïd;francois@ecc.example.org;Réseaux, télécoms;bac+3;2026\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&bytes).is_err(), "the file is really not UTF-8");
    let path = format!("/api/v1/schools/{ecc}/roster");
    let imported = json(post_bytes(&app, &path, &staff.token, "text/csv", bytes.into_owned()).await).await;
    assert_eq!(
        imported,
        json!({"rows": 2, "created": 2, "updated": 0, "format": "csv", "encoding": "windows-1252", "separator": "semicolon"})
    );
    assert_eq!(
        names(&app, &staff.token, ecc).await,
        [("ECC-1".into(), "Hélène".into(), "Lefèvre".into()), ("ECC-2".into(), "François".into(), "Bençaïd".into())]
    );

    // The same roster as Excel's "CSV UTF-8": a byte order mark, read as such.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let again = json(post_bytes(&app, &path, &staff.token, "text/csv; charset=utf-8", bom).await).await;
    assert_eq!(
        (&again["updated"], &again["encoding"], &again["separator"]),
        (&json!(2), &json!("utf-8-bom"), &json!("semicolon"))
    );
    assert_eq!(names(&app, &staff.token, ecc).await[0].1, "Hélène");
}

#[tokio::test]
async fn a_bad_cell_is_named_by_line_column_and_value() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let csv = "student_number;first_name;last_name;email;programme;degree_level;graduation_year\n\
               ECC-1;Hélène;Lefèvre;pas-une-adresse;Génie civil;bac+5;2027\n";
    let path = format!("/api/v1/schools/{ecc}/roster");
    let problem = assert_problem(app.post_csv(&path, &admin.token, csv.into()).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "line 2.email", "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("line 2, column email, value \"pas-une-adresse\": "), "{message}");
    // A line with a cell too many says so in the file's terms.
    let csv = "student_number,first_name,last_name,email,programme,degree_level,graduation_year\nECC-1,a,b,c,d,e,f,g\n";
    let problem = assert_problem(app.post_csv(&path, &admin.token, csv.into()).await, 422).await;
    assert_eq!(problem["errors"][0]["message"], "line 2: 8 cells where the header has 7", "{problem}");
}

/// A workbook as a career office fills it: the header, a year typed as a number, a blank row.
fn workbook(rows: &[[&str; 7]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    let header = ["student_number", "first_name", "last_name", "email", "programme", "degree_level", "graduation_year"];
    for (column, name) in (0u16..).zip(header) {
        sheet.write_string(0, column, name).expect("header");
    }
    for (line, row) in (2u32..).zip(rows) {
        for (column, cell) in (0u16..).zip(row) {
            match cell.parse::<f64>() {
                Ok(number) => sheet.write_number(line, column, number).map(|_| ()),
                Err(_) => sheet.write_string(line, column, *cell).map(|_| ()),
            }
            .expect("cell");
        }
    }
    book.save_to_buffer().expect("workbook")
}

#[tokio::test]
async fn an_xlsx_roster_imports_and_its_errors_name_the_sheet_row() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let path = format!("/api/v1/schools/{ecc}/roster");
    let rows = [
        ["ECC-1", "Zineb", "El Fassi", "zineb@ecc.example.org", "Finance", "bac+5", "2027"],
        ["ECC-2", "Yassine", "Chraïbi", "yassine@ecc.example.org", "Actuariat", "bac+5", "2028"],
    ];
    let imported = json(post_bytes(&app, &path, &admin.token, XLSX, workbook(&rows)).await).await;
    assert_eq!(
        imported,
        json!({"rows": 2, "created": 2, "updated": 0, "format": "xlsx", "encoding": null, "separator": null})
    );
    assert_eq!(names(&app, &admin.token, ecc).await[1], ("ECC-2".into(), "Yassine".into(), "Chraïbi".into()));

    // The first row under the header is left blank: the bad row is row 3 of
    // the sheet, as Excel numbers it.
    let bad = [["ECC-3", "Sara", "Idrissi", "sara@ecc.example.org", "Finance", "bac+5", "1850"]];
    let problem = assert_problem(post_bytes(&app, &path, &admin.token, XLSX, workbook(&bad)).await, 422).await;
    assert_eq!(problem["errors"][0]["field"], "line 3.graduation_year", "{problem}");
    let message = problem["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.starts_with("line 3, column graduation_year, value \"1850\": "), "{message}");
    // Not a workbook at all.
    assert_problem(post_bytes(&app, &path, &admin.token, XLSX, b"PK not really".to_vec()).await, 400).await;
}

#[tokio::test]
async fn the_roster_template_comes_back_through_the_import() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let ecc = app.id_of("schools", "ECC").await;
    let template = format!("/api/v1/schools/{ecc}/roster/template");
    let csv = app.get(&format!("{template}?format=csv"), Some(&admin.token)).await;
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-disposition"], "attachment; filename=\"roster-template-ECC.csv\"");
    let mut file = csv.bytes().await.expect("body").to_vec();
    assert!(file.starts_with(b"\xEF\xBB\xBFstudent_number;first_name;"), "{file:?}");
    file.extend_from_slice("ECC-9;Ghita;Lahlou;ghita@ecc.example.org;Data;bac+5;2027\r\n".as_bytes());
    let path = format!("/api/v1/schools/{ecc}/roster");
    let imported = json(post_bytes(&app, &path, &admin.token, "text/csv", file).await).await;
    assert_eq!((&imported["created"], &imported["separator"]), (&json!(1), &json!("semicolon")), "{imported}");

    let xlsx = app.get(&format!("{template}?format=xlsx"), Some(&admin.token)).await;
    assert_eq!(xlsx.status(), 200);
    assert_eq!(xlsx.headers()["content-type"], XLSX);
    assert_eq!(xlsx.headers()["content-disposition"], "attachment; filename=\"roster-template-ECC.xlsx\"");
    let bytes = xlsx.bytes().await.expect("body").to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
    let sheet = book.worksheet_range_at(0).expect("a sheet").expect("readable");
    let header: Vec<String> = sheet.rows().next().expect("a header").iter().map(|c| c.to_string()).collect();
    assert_eq!(header.join(","), "student_number,first_name,last_name,email,programme,degree_level,graduation_year");

    assert_problem(app.get(&format!("{template}?format=ods"), Some(&admin.token)).await, 400).await;
    let other = app.id_of("schools", "ESITH").await;
    let staff = app.staff(&admin, "school_staff", Some(other), None).await;
    assert_problem(app.get(&template, Some(&staff.token)).await, 403).await;
}
