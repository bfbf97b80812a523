"""Kept payloads of each kind the payload index places: an X12 interchange in and out, an
EDIFACT one and a cXML document, between the demo partners and the hub."""

from __future__ import annotations

X12 = (b"ISA*00*          *00*          *ZZ*BOREALCAST     *ZZ*SUPPLYHUB      *261205*1200*U*"
       b"00401*000000901*0*P*>~GS*PR*BOREALCAST*SUPPLYHUB~")  # fmt: skip
X12_OUT = (b"ISA*00*          *00*          *ZZ*SUPPLYHUB      *ZZ*BOREALCAST     *261205*1300*"
           b"U*00401*000000042*0*P*>~GS*PO*SUPPLYHUB*BOREALCAST~")  # fmt: skip
EDIFACT = b"UNA:+.? 'UNB+UNOC:3+DELTASEALS:ZZZ+SUPPLYHUB:ZZZ+261205:1200+77'UNH+1+ORDRSP'"
CXML = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE cXML SYSTEM "http://xml.cxml.org/schemas/cXML/1.2.050/Fulfill.dtd">
<cXML payloadID="1@cypress" timestamp="2026-12-04T10:00:00+00:00">
  <Header>
    <From><Credential domain="DUNS"><Identity> CYPRESS-001 </Identity></Credential></From>
    <To><Credential domain="NetworkID"><Identity>AN-SUPPLYHUB</Identity></Credential></To>
  </Header>
</cXML>"""
