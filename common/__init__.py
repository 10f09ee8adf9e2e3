"""The ground floor both sides stand on: records, errors, config, text and date tables, tokens; imports nothing of ours."""
