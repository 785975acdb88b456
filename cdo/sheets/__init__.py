"""Reading and writing spreadsheets: tables and headers, the importers' row loop, the 附件1 forms, the 附件2 sheet, the one workbook writer."""
