import Testing
@testable import Store

@Suite struct SQLStatementSplitterTests {
    @Test(arguments: [
        ("SELECT 1; SELECT 2;", ["SELECT 1", "SELECT 2"]),
        ("SELECT 1", ["SELECT 1"]),
        ("  ;; ; ", []),
        ("-- only a comment;\n", []),
        ("SELECT ';' AS semi; SELECT 2", ["SELECT ';' AS semi", "SELECT 2"]),
        ("SELECT 'it''s; fine'; SELECT 3", ["SELECT 'it''s; fine'", "SELECT 3"]),
        ("SELECT E'a\\'; b'; SELECT 4", ["SELECT E'a\\'; b'", "SELECT 4"]),
        ("SELECT \"odd;name\" FROM t; SELECT 5", ["SELECT \"odd;name\" FROM t", "SELECT 5"]),
        ("-- note; here\nSELECT 6;", ["-- note; here\nSELECT 6"]),
        ("/* a; /* nested; */ still; */ SELECT 7; SELECT 8", ["/* a; /* nested; */ still; */ SELECT 7", "SELECT 8"]),
        ("DO $$ BEGIN PERFORM 1; END $$; SELECT 9", ["DO $$ BEGIN PERFORM 1; END $$", "SELECT 9"]),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$; SELECT 10",
         ["CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$ SELECT 1; $body$", "SELECT 10"]),
        ("SELECT $1::int; SELECT 11", ["SELECT $1::int", "SELECT 11"]),
    ])
    func splitsAtTopLevelSemicolonsOnly(script: String, expected: [String]) {
        #expect(SQLStatementSplitter.split(script) == expected)
    }
}
