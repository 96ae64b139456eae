# escape=`
FROM python:3.12-windowsservercore-ltsc2022 `
  AS win
FROM python:3.12-slim
