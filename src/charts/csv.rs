//! A minimal RFC 4180 CSV reader (quoted fields, doubled quotes) for `yearly.csv`.

/// One parsed record with the 1-based line number it started on.
pub(crate) struct Record {
    pub line: usize,
    pub fields: Vec<String>,
}

/// Splits `text` into records. Blank lines are skipped. Errors carry the line number.
pub(crate) fn parse(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut records = Vec::new();
    let mut fields: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut quoted_field = false;
    let mut line = 1usize;
    let mut start_line = 1usize;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() && !quoted_field => {
                in_quotes = true;
                quoted_field = true;
            }
            '"' => return Err((line, "stray quote inside an unquoted field".into())),
            ',' => {
                fields.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                end_record(&mut records, &mut fields, &mut field, start_line);
                quoted_field = false;
                line += 1;
                start_line = line;
            }
            _ if quoted_field => {
                return Err((line, "text after the closing quote of a field".into()))
            }
            _ => field.push(c),
        }
    }
    if in_quotes {
        return Err((start_line, "a quoted field is never closed".into()));
    }
    end_record(&mut records, &mut fields, &mut field, start_line);
    Ok(records)
}

fn end_record(
    records: &mut Vec<Record>,
    fields: &mut Vec<String>,
    field: &mut String,
    line: usize,
) {
    fields.push(std::mem::take(field));
    let record = std::mem::take(fields);
    let blank = record.len() == 1 && record[0].trim().is_empty();
    if !blank {
        records.push(Record {
            line,
            fields: record,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn quoted_fields_and_crlf() {
        let recs = parse("a,b\r\n\"x,1\",\"say \"\"hi\"\"\"\n\n").unwrap_or_default();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[1].fields, vec!["x,1", "say \"hi\""]);
        assert_eq!(recs[1].line, 2);
    }

    #[test]
    fn unclosed_quote_is_an_error() {
        assert!(parse("a,\"b\n").is_err());
    }
}
